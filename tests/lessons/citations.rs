//! Citations cannot rot: every test a doc names must exist.
//!
//! The files read, and what of them (folders are read to any depth):
//!
//! - `README.md` and every `.md` file under `docs/` (`docs/hints/` too):
//!   the text, fenced code blocks left out;
//! - every `.rs` file under `src/`, `examples/` (`examples/checks/` too) and
//!   `tests/` (`tests/lessons/` and every other test folder): the
//!   comments, `//`, `///`, `//!` and `/* */`, with string and character
//!   literals left out, and fenced code blocks in doc comments left out;
//! - every `.py` file under `docs/` (`docs/python/`): the `#` comments and
//!   the docstrings (a triple-quoted string that opens its line), other
//!   strings left out.
//!
//! The docs back their claims with tests, named in these forms:
//!
//! - A test file and names: a path `tests/DIR/FILE.rs`, in backticks or
//!   bare (as Rust comments write it), then `:`, `(` or `,`, then one or
//!   more names separated by `,`, `and`, `or`, `, and` or `, or`:
//!   "`tests/lessons/FILE.rs`: `a`, `b` and `c`",
//!   "`tests/lessons/FILE.rs` (`a`)", "`tests/lessons/FILE.rs`, `a`", and
//!   with the names bare, "tests/lessons/FILE.rs: a_name" (or all in one
//!   code span, "`tests/lessons/FILE.rs, a_name`"). The file must
//!   exist and each name must be a test in that very file, however short. A
//!   bare name needs an underscore, so that "`tests/lessons/peer.rs`: both
//!   tests above" names no test. A path alone must exist too. A path with a
//!   part that is not lowercase snake_case (`tests/lessons/FILE.rs`,
//!   `tests/solutions/exN_*.rs`) is a placeholder, not a citation.
//! - A long name alone: in backticks, lowercase snake_case with at least
//!   three underscores (four words or more), such as
//!   `the_socket_stays_usable_after_a_read_timeout`.
//! - A short name called a test: in backticks, snake_case with one or two
//!   underscores, right after the word "test" or "tests" (with the rest of
//!   its list) or right before the word "test", as in "the test
//!   `peer_survives_garbage`".
//!
//! A name alone must be a test in some file, unless the crate's code
//! (comments left out) names it otherwise: a function (a method such as
//! `worth_a_new_attempt` is cited as code, not as a test), a variable, or a
//! word in a string (the sysctl `tcp_rto_min_us`, which the code reads from
//! `/proc`). A test renamed or deleted leaves its old name nowhere in the
//! code, so its citations are caught. Every other short identifier
//! (`read_exact_by`, `set_read_timeout`) and every one-word name (as in
//! "runs the test `name`", a parameter) is never taken for a test.
//!
//! The tests known are the functions that follow a `#[test]` in the `.rs`
//! files under `src/`, `examples/` and `tests/`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The crate's root, where `Cargo.toml` is.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir`, in subfolders too, whose name ends in
/// `extension`, sorted.
fn files(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return found;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files(&path, extension));
        } else if path.extension().is_some_and(|e| e == extension) {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// The path of `path` relative to the crate's root, with `/` separators.
fn relative(path: &Path) -> String {
    let relative = path.strip_prefix(root()).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The name a line declares with `fn`, if it declares one.
fn fn_name(line: &str) -> Option<&str> {
    let mut words = line.split_whitespace();
    while let Some(word) = words.next() {
        if word == "fn" {
            let next = words.next()?;
            let end = next
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(next.len());
            return Some(&next[..end]).filter(|name| !name.is_empty());
        }
    }
    None
}

/// The tests of `code` (a Rust source without its comments): the
/// functions that follow a `#[test]`, other attributes in between allowed.
fn tests_of(code: &str) -> Vec<String> {
    let mut tests = Vec::new();
    let mut after_test = false;
    for line in code.lines().map(str::trim) {
        if line.starts_with("#[test]") {
            after_test = true;
        } else if line.starts_with("#[") || line.is_empty() {
            continue;
        } else {
            if let Some(name) = fn_name(line).filter(|_| after_test) {
                tests.push(name.to_string());
            }
            after_test = false;
        }
    }
    tests
}

/// The snake_case words of `code`: its identifiers, and the words of its
/// string literals.
fn code_words(code: &str) -> impl Iterator<Item = &str> {
    code.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| is_snake_case(word))
}

/// What the docs may cite: the tests of each file in `tests/`, every test
/// anywhere, and what else the crate's code names.
#[derive(Default)]
struct Known {
    /// Each `.rs` file under `tests/` to the tests it defines.
    by_file: BTreeMap<String, BTreeSet<String>>,
    /// Every test, unit tests in `src/` included.
    tests: BTreeSet<String>,
    /// The snake_case words of the code, comments left out, in `src/`,
    /// `examples/` and `tests/`: functions (helpers such as
    /// `send_until_error` included), variables, and words in strings (the
    /// sysctl `tcp_rto_min_us` of a path in `/proc`).
    code_words: BTreeSet<String>,
}

impl Known {
    fn from_repository() -> Known {
        let mut known = Known::default();
        for dir in ["src", "examples", "tests"] {
            for path in files(&root().join(dir), "rs") {
                let code = rust_code(&fs::read_to_string(&path).unwrap());
                let tests = tests_of(&code);
                if dir == "tests" {
                    let by_name = tests.iter().cloned().collect();
                    known.by_file.insert(relative(&path), by_name);
                }
                known.tests.extend(tests);
                known
                    .code_words
                    .extend(code_words(&code).map(str::to_string));
            }
        }
        known
    }

    /// Whether the crate's code names `name`, as a test or otherwise.
    fn is_in_the_code(&self, name: &str) -> bool {
        self.tests.contains(name) || self.code_words.contains(name)
    }
}

/// A paragraph of prose: lines joined with spaces, from `line` on.
struct Paragraph {
    line: usize,
    text: String,
}

/// The paragraphs of a Markdown text, fenced code blocks left out.
/// `None` lines are breaks (code, in a source file).
fn paragraphs<'a>(lines: impl Iterator<Item = Option<&'a str>>) -> Vec<Paragraph> {
    let mut found = Vec::new();
    let mut current: Option<Paragraph> = None;
    let mut in_fence = false;
    for (index, line) in lines.enumerate() {
        let text = line.map(str::trim).unwrap_or("");
        let fence = text.starts_with("```");
        if fence {
            in_fence = !in_fence;
        }
        if text.is_empty() || fence || in_fence {
            found.extend(current.take());
            continue;
        }
        let paragraph = current.get_or_insert_with(|| Paragraph {
            line: index + 1,
            text: String::new(),
        });
        paragraph.text.push_str(text);
        paragraph.text.push(' ');
    }
    found.extend(current);
    found
}

/// One step of a lexer through a line: where the next step starts, what
/// the lexer is inside of there, and the prose the step went over, if any.
type Step<'a, S> = (usize, S, Option<&'a str>);

/// Runs a lexer through each line of `source`, from `state`, which
/// carries over from one line to the next (a string or a block comment can
/// go on); `visit` gets each step's line index, bytes and prose.
fn lex<S: Copy>(
    source: &str,
    mut state: S,
    step: for<'a> fn(&'a str, usize, S) -> Step<'a, S>,
    mut visit: impl FnMut(usize, &[u8], Option<&str>),
) {
    for (index, line) in source.lines().enumerate() {
        let mut at = 0;
        while at < line.len() {
            let (next, after, prose) = step(line, at, state);
            visit(index, &line.as_bytes()[at..next.min(line.len())], prose);
            (at, state) = (next, after);
        }
    }
}

/// The prose of each line of `source`, `None` where a line has none.
fn prose_lines<S: Copy>(
    source: &str,
    state: S,
    step: for<'a> fn(&'a str, usize, S) -> Step<'a, S>,
) -> Vec<Option<String>> {
    let mut lines = vec![None; source.lines().count()];
    lex(source, state, step, |index, _, prose| {
        if let Some(text) = prose {
            let line: &mut String = lines[index].get_or_insert_with(String::new);
            line.push_str(text);
            line.push(' ');
        }
    });
    lines
}

/// The text of a Rust source outside its comments: its code and its
/// string literals, line by line.
fn rust_code(source: &str) -> String {
    let mut code = vec![Vec::new(); source.lines().count()];
    lex(source, Rust::Code, rust_step, |index, bytes, prose| {
        if prose.is_none() {
            code[index].extend_from_slice(bytes);
        }
    });
    // A step in code can cut a character in two, but a comment starts and
    // ends at ASCII, so what is left of a line is whole characters again.
    let lines: Vec<String> = code
        .iter()
        .map(|line| String::from_utf8_lossy(line).into_owned())
        .collect();
    lines.join("\n")
}

/// What a Rust lexer is inside of.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Rust {
    Code,
    /// A block comment, nested this deep.
    Block(usize),
    /// A string literal: `None` an ordinary one, `Some(n)` a raw one closed
    /// by `"` and `n` times `#`.
    Str(Option<usize>),
}

/// One step of the Rust lexer at byte `at` of `line`.
fn rust_step(line: &str, at: usize, state: Rust) -> Step<'_, Rust> {
    match state {
        Rust::Code => rust_code_step(line, at),
        Rust::Block(depth) => rust_block_step(line, at, depth),
        Rust::Str(raw) => rust_string_step(line, at, raw),
    }
}

/// A step in code: a comment, the opening of a string or a block comment,
/// a character literal, or one byte of anything else. Only ASCII is sliced,
/// so a step of one byte into a longer character is harmless.
fn rust_code_step(line: &str, at: usize) -> Step<'_, Rust> {
    let rest = &line.as_bytes()[at..];
    if rest.starts_with(b"//") {
        let text = &line[at + 2..];
        // `///` and `//!` are doc comments; their third character is not prose.
        return (
            line.len(),
            Rust::Code,
            Some(text.strip_prefix(['/', '!']).unwrap_or(text)),
        );
    }
    if rest.starts_with(b"/*") {
        return (at + 2, Rust::Block(1), None);
    }
    if rest[0] == b'"' {
        return (at + 1, Rust::Str(None), None);
    }
    if let Some(hashes) = raw_string_opening(line.as_bytes(), at) {
        return (at + hashes + 2, Rust::Str(Some(hashes)), None);
    }
    if rest[0] == b'\'' {
        return (char_literal_end(line, at), Rust::Code, None);
    }
    (at + 1, Rust::Code, None)
}

/// The number of `#`s of a raw string (`r"`, `r#"`, `br#"`, ...) whose `r`
/// is at `at`; `None` if no raw string opens there (an `r` ending a name,
/// or a raw identifier such as `r#type`).
fn raw_string_opening(bytes: &[u8], at: usize) -> Option<usize> {
    let ident = |i: usize| bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_';
    let starts_a_token = |i: usize| i == 0 || !ident(i - 1);
    let prefixed = at >= 1 && matches!(bytes[at - 1], b'b' | b'c') && starts_a_token(at - 1);
    if bytes[at] != b'r' || !(starts_a_token(at) || prefixed) {
        return None;
    }
    let hashes = bytes[at + 1..].iter().take_while(|&&b| b == b'#').count();
    (bytes.get(at + 1 + hashes) == Some(&b'"')).then_some(hashes)
}

/// Where a character literal that opens at the `'` at `at` ends; just past
/// the `'` if it opens none (a lifetime or a label).
fn char_literal_end(line: &str, at: usize) -> usize {
    let bytes = line.as_bytes();
    if bytes.get(at + 1) == Some(&b'\\') {
        // An escape, `'\''` or `'\u{1F600}'`: the next `'` after the
        // escaped character closes it.
        let from = (at + 3).min(bytes.len());
        let close = bytes[from..].iter().position(|&b| b == b'\'');
        return close.map_or(at + 1, |close| from + close + 1);
    }
    let Some(c) = line[at + 1..].chars().next() else {
        return at + 1;
    };
    let after = at + 1 + c.len_utf8();
    if bytes.get(after) == Some(&b'\'') {
        after + 1
    } else {
        at + 1
    }
}

/// A step in a block comment: its text up to the next `*/` or `/*` (which
/// nest), or to the end of the line.
fn rust_block_step(line: &str, at: usize, depth: usize) -> Step<'_, Rust> {
    let bytes = line.as_bytes();
    let mut end = at;
    while end + 1 < bytes.len() && !matches!(&bytes[end..end + 2], b"*/" | b"/*") {
        end += 1;
    }
    if end + 1 >= bytes.len() {
        return (bytes.len(), Rust::Block(depth), Some(&line[at..]));
    }
    let depth = if &bytes[end..end + 2] == b"*/" {
        depth - 1
    } else {
        depth + 1
    };
    let state = if depth == 0 {
        Rust::Code
    } else {
        Rust::Block(depth)
    };
    (end + 2, state, Some(&line[at..end]))
}

/// A step in a string literal: to just past its closing quote (and a raw
/// string's `#`s), or to the end of the line if it goes on to the next.
fn rust_string_step(line: &str, at: usize, raw: Option<usize>) -> Step<'_, Rust> {
    let bytes = line.as_bytes();
    let mut end = at;
    while end < bytes.len() {
        match (bytes[end], raw) {
            // An escape, `\"` or `\\`, cannot close the string.
            (b'\\', None) => end += 2,
            (b'"', None) => return (end + 1, Rust::Code, None),
            (b'"', Some(hashes)) if closes_raw(bytes, end, hashes) => {
                return (end + 1 + hashes, Rust::Code, None);
            }
            _ => end += 1,
        }
    }
    (bytes.len(), Rust::Str(raw), None)
}

/// Whether the `"` at `at` and the `hashes` `#`s after it close a raw string.
fn closes_raw(bytes: &[u8], at: usize, hashes: usize) -> bool {
    bytes
        .get(at + 1..at + 1 + hashes)
        .is_some_and(|after| after.iter().all(|&b| b == b'#'))
}

/// What a Python lexer is inside of.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Python {
    Code,
    Str(PyString),
}

/// A Python string literal the lexer is inside of.
#[derive(Clone, Copy, Debug, PartialEq)]
struct PyString {
    /// The quote that opened it, three of them if `triple`.
    quote: u8,
    triple: bool,
    /// A docstring's text is prose; other strings' is not.
    docstring: bool,
}

/// One step of the Python lexer at byte `at` of `line`.
fn python_step(line: &str, at: usize, state: Python) -> Step<'_, Python> {
    match state {
        Python::Code => python_code_step(line, at),
        Python::Str(string) => python_string_step(line, at, string),
    }
}

/// A step in code: a `#` comment, the opening of a string, or one byte of
/// anything else. A triple-quoted string that opens its line is a
/// docstring (or a string standing as a statement, which is one in all
/// but name).
fn python_code_step(line: &str, at: usize) -> Step<'_, Python> {
    let bytes = line.as_bytes();
    let quote = bytes[at];
    if quote == b'#' {
        return (line.len(), Python::Code, Some(&line[at + 1..]));
    }
    if quote != b'"' && quote != b'\'' {
        return (at + 1, Python::Code, None);
    }
    let triple = bytes[at..].starts_with(&[quote; 3]);
    let state = Python::Str(PyString {
        quote,
        triple,
        docstring: triple && line[..at].trim().is_empty(),
    });
    (at + if triple { 3 } else { 1 }, state, None)
}

/// A step in a string: to just past its closing quotes, or to the end of
/// the line if it goes on; a docstring's text on the way is prose.
fn python_string_step(line: &str, at: usize, string: PyString) -> Step<'_, Python> {
    let PyString {
        quote,
        triple,
        docstring,
    } = string;
    let closing = &[quote; 3][..if triple { 3 } else { 1 }];
    let bytes = line.as_bytes();
    let mut end = at;
    while end < bytes.len() {
        if bytes[end] == b'\\' {
            end += 2;
        } else if bytes[end..].starts_with(closing) {
            let text = docstring.then(|| &line[at..end]);
            return (end + closing.len(), Python::Code, text);
        } else {
            end += 1;
        }
    }
    let text = docstring.then(|| &line[at..]);
    (bytes.len(), Python::Str(string), text)
}

/// The paragraphs of a Markdown file.
fn markdown_paragraphs(text: &str) -> Vec<Paragraph> {
    paragraphs(text.lines().map(Some))
}

/// The paragraphs of a Rust file's comments.
fn rust_paragraphs(source: &str) -> Vec<Paragraph> {
    let lines = prose_lines(source, Rust::Code, rust_step);
    paragraphs(lines.iter().map(Option::as_deref))
}

/// The paragraphs of a Python file's comments and docstrings.
fn python_paragraphs(source: &str) -> Vec<Paragraph> {
    let lines = prose_lines(source, Python::Code, python_step);
    paragraphs(lines.iter().map(Option::as_deref))
}

/// Every file the module's doc says is read, with its prose.
fn documents() -> Vec<(PathBuf, Vec<Paragraph>)> {
    let root = root();
    let read = |path: &Path| fs::read_to_string(path).unwrap();
    let mut documents = Vec::new();
    let mut markdown = vec![root.join("README.md")];
    markdown.extend(files(&root.join("docs"), "md"));
    for path in markdown {
        let paragraphs = markdown_paragraphs(&read(&path));
        documents.push((path, paragraphs));
    }
    for dir in ["src", "examples", "tests"] {
        for path in files(&root.join(dir), "rs") {
            let paragraphs = rust_paragraphs(&read(&path));
            documents.push((path, paragraphs));
        }
    }
    for path in files(&root.join("docs"), "py") {
        let paragraphs = python_paragraphs(&read(&path));
        documents.push((path, paragraphs));
    }
    documents
}

/// A piece of a paragraph: plain text, or the inside of a code span.
#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Text(&'a str),
    Code(&'a str),
}

/// Splits `text` into plain text and code spans: a run of N backticks opens
/// a span that the next run of exactly N closes; an unclosed run is text.
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let bytes = text.as_bytes();
    let run_at = |at: usize| bytes[at..].iter().take_while(|&&b| b == b'`').count();
    let mut found = Vec::new();
    let (mut start, mut at) = (0, 0);
    while at < bytes.len() {
        if bytes[at] != b'`' {
            at += 1;
            continue;
        }
        let open = run_at(at);
        let mut close = at + open;
        let mut closed = None;
        while close < bytes.len() {
            if bytes[close] == b'`' {
                let run = run_at(close);
                if run == open {
                    closed = Some(close);
                    break;
                }
                close += run;
            } else {
                close += 1;
            }
        }
        match closed {
            Some(close) => {
                found.push(Piece::Text(&text[start..at]));
                found.push(Piece::Code(text[at + open..close].trim()));
                at = close + open;
                start = at;
            }
            None => at += open,
        }
    }
    found.push(Piece::Text(&text[start..]));
    found
}

/// Lowercase snake_case: letters, digits and single underscores, starting
/// with a letter.
fn is_snake_case(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('_')
        && !name.contains("__")
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Whether `text` is the path of a test file: `tests/`, folders and a stem
/// in lowercase snake_case, `.rs` (anything else is a placeholder, such as
/// `tests/lessons/FILE.rs`, or not a path).
fn is_test_path(text: &str) -> bool {
    let Some(inner) = text
        .strip_prefix("tests/")
        .and_then(|t| t.strip_suffix(".rs"))
    else {
        return false;
    };
    inner.split('/').all(is_snake_case)
}

/// Whether a code span starts with a test file's path followed by more.
fn starts_a_citation(code: &str) -> bool {
    code.split_once([' ', ':', ',', '('])
        .is_some_and(|(path, _)| is_test_path(path))
}

/// A word of a paragraph, as the citation forms read it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Token<'a> {
    /// A test file's path, in backticks or bare.
    Path(&'a str),
    /// Any other code span.
    Code(&'a str),
    /// A word of plain text, its punctuation split off.
    Word(&'a str),
    /// A punctuation mark.
    Mark(char),
}

/// The words of a paragraph: code spans whole, plain text split at spaces
/// and punctuation. A code span that starts with a test file's path and
/// goes on (`tests/lessons/FILE.rs: name`) is a whole citation, split as
/// text is.
fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    for piece in pieces(text) {
        match piece {
            Piece::Code(code) if is_test_path(code) => tokens.push(Token::Path(code)),
            Piece::Code(code) if starts_a_citation(code) => text_tokens(code, &mut tokens),
            Piece::Code(code) => tokens.push(Token::Code(code)),
            Piece::Text(text) => text_tokens(text, &mut tokens),
        }
    }
    tokens
}

/// Splits plain text at spaces, and at the marks that cannot be part of a
/// path or a name wherever they stand.
fn text_tokens<'a>(text: &'a str, tokens: &mut Vec<Token<'a>>) {
    for chunk in text.split_whitespace() {
        let mut start = 0;
        for (at, c) in chunk.char_indices() {
            if "()[],;\"".contains(c) {
                word_tokens(&chunk[start..at], tokens);
                tokens.push(Token::Mark(c));
                start = at + c.len_utf8();
            }
        }
        word_tokens(&chunk[start..], tokens);
    }
}

/// A word and the marks that end it: `tests/lessons/peer.rs:` is a path
/// and a colon, `name.` a word and a full stop.
fn word_tokens<'a>(word: &'a str, tokens: &mut Vec<Token<'a>>) {
    let core = word.trim_end_matches([':', '.', '!', '?']);
    if is_test_path(core) {
        tokens.push(Token::Path(core));
    } else if !core.is_empty() {
        tokens.push(Token::Word(core));
    }
    tokens.extend(word[core.len()..].chars().map(Token::Mark));
}

/// The name at `at`, if a citation can name a test there: snake_case in
/// backticks, or bare with an underscore (a bare `and` or `both` is prose).
fn name_at<'a>(tokens: &[Token<'a>], at: usize) -> Option<&'a str> {
    match tokens.get(at)? {
        Token::Code(name) if is_snake_case(name) => Some(name),
        Token::Word(name) if is_snake_case(name) && name.contains('_') => Some(name),
        _ => None,
    }
}

/// Whether the token at `at` is one of `words`, in any case.
fn is_word(tokens: &[Token], at: usize, words: &[&str]) -> bool {
    let Some(Token::Word(word)) = tokens.get(at) else {
        return false;
    };
    words.iter().any(|w| word.eq_ignore_ascii_case(w))
}

/// How many tokens from `at` separate two names of a list: `,`, `and`,
/// `or`, `, and` or `, or`.
fn separator_len(tokens: &[Token], at: usize) -> Option<usize> {
    let and_or = |at: usize| is_word(tokens, at, &["and", "or"]);
    match tokens.get(at) {
        Some(Token::Mark(',')) if and_or(at + 1) => Some(2),
        Some(Token::Mark(',')) => Some(1),
        _ if and_or(at) => Some(1),
        _ => None,
    }
}

/// The places of the names of a list that starts at `start`: names, each
/// but the last followed by a separator.
fn list_from(tokens: &[Token], start: usize) -> Vec<usize> {
    let mut names = Vec::new();
    let mut at = start;
    while name_at(tokens, at).is_some() {
        names.push(at);
        let Some(separator) = separator_len(tokens, at + 1) else {
            break;
        };
        at += 1 + separator;
    }
    names
}

/// The places of the names cited after the path at `at`: a `:`, `(` or
/// `,`, then a list.
fn names_after_path(tokens: &[Token], at: usize) -> Vec<usize> {
    match tokens.get(at + 1) {
        Some(Token::Mark(':' | '(' | ',')) => list_from(tokens, at + 2),
        _ => Vec::new(),
    }
}

/// The places of the code spans the word "test" calls tests: the list
/// right after "test" or "tests", and a name right before "test".
fn named_as_tests(tokens: &[Token]) -> Vec<usize> {
    let mut named = Vec::new();
    for at in 0..tokens.len() {
        if is_word(tokens, at, &["test", "tests"]) {
            named.extend(list_from(tokens, at + 1));
        }
        if is_word(tokens, at + 1, &["test"]) && name_at(tokens, at).is_some() {
            named.push(at);
        }
    }
    named.retain(|&at| matches!(tokens[at], Token::Code(_)));
    named
}

/// What a paragraph's citations found wrong, and the names already checked,
/// so that a later form does not check them again.
#[derive(Default)]
struct Findings {
    problems: Vec<String>,
    checked: BTreeSet<usize>,
}

/// Checks each test file's path, and the names cited after it against that
/// file.
fn check_paths(tokens: &[Token], known: &Known, findings: &mut Findings) {
    for (at, token) in tokens.iter().enumerate() {
        let Token::Path(file) = token else { continue };
        let names = names_after_path(tokens, at);
        findings.checked.extend(names.iter().copied());
        let Some(tests) = known.by_file.get(*file) else {
            findings.problems.push(format!("`{file}` does not exist"));
            continue;
        };
        for name in names.iter().filter_map(|&at| name_at(tokens, at)) {
            if !tests.contains(name) {
                let problem = format!("`{file}`: `{name}` is not a test in {file}");
                findings.problems.push(problem);
            }
        }
    }
}

/// The underscores in the name at `at`; 0 if no name is there.
fn underscores(tokens: &[Token], at: usize) -> usize {
    name_at(tokens, at).map_or(0, |name| name.matches('_').count())
}

/// Checks the names that stand alone: one the word "test" calls a test,
/// unless it is one word, and every long one in backticks.
fn check_names_alone(tokens: &[Token], known: &Known, findings: &mut Findings) {
    let called = named_as_tests(tokens)
        .into_iter()
        .filter(|&at| underscores(tokens, at) >= 1);
    let long = (0..tokens.len())
        .filter(|&at| matches!(tokens[at], Token::Code(_)) && underscores(tokens, at) >= 3);
    let mut alone: Vec<usize> = called.chain(long).collect();
    alone.sort();
    alone.dedup();
    for at in alone {
        let name = name_at(tokens, at).unwrap_or("");
        if findings.checked.insert(at) && !known.is_in_the_code(name) {
            findings
                .problems
                .push(format!("`{name}` is not a test anywhere"));
        }
    }
}

/// The citations in `text` that name no existing test or file.
fn broken_citations(text: &str, known: &Known) -> Vec<String> {
    let tokens = tokens(text);
    let mut findings = Findings::default();
    check_paths(&tokens, known, &mut findings);
    check_names_alone(&tokens, known, &mut findings);
    findings.problems
}

#[test]
fn every_test_a_doc_names_exists() {
    let known = Known::from_repository();
    assert!(
        known.by_file.len() >= 5 && known.tests.len() >= 50,
        "the scan found too few tests: is the crate's layout what this test expects?"
    );
    let mut problems = Vec::new();
    for (path, paragraphs) in documents() {
        for paragraph in paragraphs {
            for problem in broken_citations(&paragraph.text, &known) {
                problems.push(format!("{}:{}: {problem}", relative(&path), paragraph.line));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "docs cite tests that do not exist:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_scan_reads_every_folder_the_module_doc_lists() {
    let read: Vec<String> = documents().iter().map(|(path, _)| relative(path)).collect();
    let folders = [
        "docs/hints/",
        "docs/python/",
        "src/",
        "examples/checks/",
        "tests/lessons/",
    ];
    // A students' copy (`--handout`, in docs/teaching.md) leaves these two
    // out; where they are, the scan must read them.
    let teachers = ["tests/solutions/", "tests/wrong/"]
        .into_iter()
        .filter(|folder| root().join(folder).is_dir());
    for folder in folders.into_iter().chain(teachers) {
        assert!(
            read.iter().any(|path| path.starts_with(folder)),
            "the scan reads nothing in {folder}"
        );
    }
    for file in ["README.md", "docs/facts.md", "tests/lessons/citations.rs"] {
        assert!(
            read.iter().any(|path| path == file),
            "the scan skips {file}"
        );
    }
}

/// What the planted cases know: two lesson files and a few functions.
fn planted_known() -> Known {
    let mut known = Known::default();
    let peer = ["echo_sends_every_byte_back", "peer_survives_garbage"];
    let relay = ["reset_resets_the_client"];
    for (file, tests) in [("peer", &peer[..]), ("relay", &relay[..])] {
        let tests: BTreeSet<String> = tests.iter().map(|t| t.to_string()).collect();
        known.tests.extend(tests.iter().cloned());
        known
            .by_file
            .insert(format!("tests/lessons/{file}.rs"), tests);
    }
    let code = [
        "worth_a_new_attempt",
        "read_exact_by",
        "send_until_error",
        "tcp_rto_min_us",
    ];
    known.code_words.extend(code.map(str::to_string));
    known
}

/// Asserts that each planted text, in the form it is named by, is caught
/// with exactly the problem given.
fn assert_caught(cases: &[(&str, &str, &str)]) {
    let known = planted_known();
    for (form, text, problem) in cases {
        assert_eq!(broken_citations(text, &known), [*problem], "{form}: {text}");
    }
}

const MISSING_IN_PEER: &str =
    "`tests/lessons/peer.rs`: `peer_survives` is not a test in tests/lessons/peer.rs";
const NO_SUCH_FILE: &str = "`tests/lessons/nowhere.rs` does not exist";

#[test]
fn a_missing_name_is_caught_in_every_form_after_a_path() {
    assert_caught(&[
        (
            "a list after a colon",
            "`tests/lessons/peer.rs`: `echo_sends_every_byte_back`, \
             `peer_survives_garbage` and `peer_survives`.",
            MISSING_IN_PEER,
        ),
        (
            "a list with `or`",
            "`tests/lessons/peer.rs`: `echo_sends_every_byte_back` or `peer_survives`",
            MISSING_IN_PEER,
        ),
        (
            "in parentheses",
            "`tests/lessons/peer.rs` (`peer_survives`)",
            MISSING_IN_PEER,
        ),
        (
            "after a comma",
            "`tests/lessons/peer.rs`, `peer_survives`",
            MISSING_IN_PEER,
        ),
        (
            "a bare name",
            "`tests/lessons/peer.rs`: peer_survives.",
            MISSING_IN_PEER,
        ),
        (
            "a bare path and name, as in a Rust comment",
            "as in tests/lessons/peer.rs: echo_sends_every_byte_back and peer_survives)",
            MISSING_IN_PEER,
        ),
        (
            "a bare path, a comma",
            "tests/lessons/peer.rs, `peer_survives`",
            MISSING_IN_PEER,
        ),
    ]);
}

#[test]
fn a_missing_file_is_caught_in_every_form_after_a_path() {
    assert_caught(&[
        (
            "a list after a colon",
            "`tests/lessons/nowhere.rs`: `echo_sends_every_byte_back` and `peer_survives`",
            NO_SUCH_FILE,
        ),
        (
            "in parentheses",
            "`tests/lessons/nowhere.rs` (`peer_survives`)",
            NO_SUCH_FILE,
        ),
        (
            "after a comma",
            "`tests/lessons/nowhere.rs`, `peer_survives`",
            NO_SUCH_FILE,
        ),
        (
            "a bare name",
            "`tests/lessons/nowhere.rs`: peer_survives",
            NO_SUCH_FILE,
        ),
        (
            "a path alone",
            "pinned by `tests/lessons/nowhere.rs`.",
            NO_SUCH_FILE,
        ),
        (
            "a bare path alone",
            "as in tests/lessons/nowhere.rs) ...",
            NO_SUCH_FILE,
        ),
        (
            "a bare path, a name",
            "tests/lessons/nowhere.rs: peer_survives",
            NO_SUCH_FILE,
        ),
    ]);
}

#[test]
fn a_citation_in_one_code_span_is_caught() {
    assert_caught(&[
        (
            "a name",
            "`tests/lessons/peer.rs, peer_survives`",
            MISSING_IN_PEER,
        ),
        (
            "a file",
            "`tests/lessons/nowhere.rs: peer_survives`",
            NO_SUCH_FILE,
        ),
    ]);
}

#[test]
fn a_missing_name_alone_is_caught_when_long_or_called_a_test() {
    let renamed = "`a_test_that_was_renamed` is not a test anywhere";
    let short = "`peer_survives` is not a test anywhere";
    assert_caught(&[
        ("a long name", "see `a_test_that_was_renamed`.", renamed),
        (
            "a short name after `test`",
            "the test `peer_survives` shows it",
            short,
        ),
        (
            "a short name in a list after `tests`",
            "the tests `peer_survives_garbage` and `peer_survives`",
            short,
        ),
        (
            "a short name before `test`",
            "the `peer_survives` test",
            short,
        ),
    ]);
}

#[test]
fn the_scan_reads_both_citation_forms_and_passes_ordinary_identifiers() {
    let known = planted_known();
    // Every form, right.
    let good = "Backed by `tests/lessons/peer.rs`: `echo_sends_every_byte_back` and \
                `peer_survives_garbage`; see also `echo_sends_every_byte_back`, \
                tests `tests/lessons/peer.rs` (`peer_survives_garbage`), \
                `tests/lessons/peer.rs`, `peer_survives_garbage`, and \
                `tests/lessons/relay.rs`: `reset_resets_the_client`; \
                tests/lessons/peer.rs: peer_survives_garbage; the test `peer_survives_garbage`.";
    assert_eq!(broken_citations(good, &known), Vec::<String>::new());

    // Code that is not a test: short names, paths, placeholders, methods,
    // functions the crate defines outside its tests, and prose after a path.
    let code = "`read_exact_by`, `heartbeat::watch`, `/proc/sys/net/ipv4/tcp_keepalive_time`, \
                `Failure::worth_a_new_attempt`, `worth_a_new_attempt`, `CONFIG_HZ=250`, \
                ```text```, `tests/lessons/FILE.rs`: `name`, `tests/lessons/NAME.rs`, \
                tests/lessons/*.rs, `tests/solutions/exN_*.rs`: `ex1`, runs the test `name`, \
                the tests `read_exact_by` and `python3`, helpers for tests: `send_until_error`, \
                examples or tests download `assert_matches`, the RTO floor `tcp_rto_min_us`, \
                `examples/partition/kernel.rs`, `hypothetical_timeout_ms`, \
                `tests/lessons/peer.rs`, which pins both; `tests/lessons/relay.rs`: both \
                tests above, and `tests/lessons/peer.rs`, `tests/lessons/relay.rs` and more.";
    assert_eq!(broken_citations(code, &known), Vec::<String>::new());
}

#[test]
fn rust_prose_is_the_comments_and_never_a_string() {
    let source = r##"//! Module doc `a`.
/// Item doc.
let s = "// `not_prose`"; // trailing
let r = r#"a "quoted" // `not_prose`"#; let c = '"'; // after a quote
fn f<'a>(x: &'a str) -> char { '\'' } /* block
still block */ let t = "goes \
on // `not_prose`";
////not a doc comment, a comment
"##;
    let lines = prose_lines(source, Rust::Code, rust_step);
    let lines: Vec<Option<&str>> = lines.iter().map(|l| l.as_deref().map(str::trim)).collect();
    assert_eq!(
        lines,
        [
            Some("Module doc `a`."),
            Some("Item doc."),
            Some("trailing"),
            Some("after a quote"),
            Some("block"),
            Some("still block"),
            None,
            Some("/not a doc comment, a comment"),
        ]
    );
}

#[test]
fn the_code_is_what_is_left_without_the_comments() {
    let source = "/// `a_doc_word` here\n\
                  #[test] // `a_comment_word`\n\
                  fn a_test() { read(\"/proc/sys/tcp_rto_min_us\"); } /* `a_block_word` */";
    let code = rust_code(source);
    let words: Vec<&str> = code_words(&code).collect();
    assert_eq!(
        words,
        [
            "test",
            "fn",
            "a_test",
            "read",
            "proc",
            "sys",
            "tcp_rto_min_us"
        ]
    );
    assert_eq!(tests_of(&code), ["a_test"]);
}

#[test]
fn python_prose_is_the_comments_and_docstrings_and_never_another_string() {
    let source = r##"#!/usr/bin/env python3
"""Docstring, `tests/lessons/python.rs`:

more of it."""
x = "# not a comment"  # a comment
y = """not a docstring"""
    '''An indented docstring.'''
"##;
    let lines = prose_lines(source, Python::Code, python_step);
    let lines: Vec<Option<&str>> = lines.iter().map(|l| l.as_deref().map(str::trim)).collect();
    assert_eq!(
        lines,
        [
            Some("!/usr/bin/env python3"),
            Some("Docstring, `tests/lessons/python.rs`:"),
            None,
            Some("more of it."),
            Some("a comment"),
            None,
            Some("An indented docstring."),
        ]
    );
}

#[test]
fn code_spans_pair_runs_of_equal_length_and_leave_fences_alone() {
    assert_eq!(
        pieces("a `b` c ``d`e`` f"),
        vec![
            Piece::Text("a "),
            Piece::Code("b"),
            Piece::Text(" c "),
            Piece::Code("d`e"),
            Piece::Text(" f"),
        ]
    );
    assert_eq!(
        pieces("an ` unclosed run"),
        vec![Piece::Text("an ` unclosed run")]
    );
    let fenced = "intro\n```text\n`not_a_real_test_name_here`\n```\nafter\n";
    let found = markdown_paragraphs(fenced);
    let texts: Vec<&str> = found.iter().map(|p| p.text.trim()).collect();
    assert_eq!(texts, ["intro", "after"]);
    assert_eq!(found[1].line, 5);
}
