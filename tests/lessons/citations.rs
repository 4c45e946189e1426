//! Citations cannot rot: every test a doc names must exist.
//!
//! The docs back their claims with tests, named in one of two forms:
//!
//! - A path and names: `tests/lessons/FILE.rs` followed by `:` or `(` and then one or
//!   more names in backticks separated by commas, `and` or `or`, as in
//!   "`tests/lessons/peer.rs`: `echo_sends_every_byte_back`". Each name must be a test
//!   in that very file, and the file must exist. A FILE that is not lowercase
//!   snake_case (`tests/lessons/FILE.rs`, `tests/lessons/NAME.rs`) is a placeholder, not a
//!   citation.
//! - A bare name in backticks that looks like a test name: lowercase
//!   snake_case with at least three underscores (four words or more), such as
//!   `the_socket_stays_usable_after_a_read_timeout`. It must be a test in some
//!   file, unless it is the name of a function the crate defines outside its
//!   tests (a method such as `worth_a_new_attempt` is cited as code, not as a
//!   test). Shorter identifiers (`read_exact_by`, `set_read_timeout`) are
//!   never taken for tests.
//!
//! The docs read are `README.md`, `docs/*.md`, and the comments of every file
//! under `src/` and `examples/`; fenced code blocks are skipped. The tests
//! known are the functions that follow a `#[test]` in `tests/lessons/*.rs` and in
//! `src/` (unit tests).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The crate's root, where `Cargo.toml` is.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir` whose name ends in `extension`, sorted; with
/// `deep`, in subfolders too.
fn files(dir: &Path, extension: &str, deep: bool) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return found;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if deep {
                found.extend(files(&path, extension, deep));
            }
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

/// The functions of `source`, split into tests (those after a `#[test]`,
/// other attributes in between allowed) and the rest. Comment lines are
/// skipped, so doc examples' `fn main` does not count.
fn functions(source: &str) -> (Vec<String>, Vec<String>) {
    let (mut tests, mut others) = (Vec::new(), Vec::new());
    let mut after_test = false;
    for line in source.lines().map(str::trim) {
        if line.starts_with("//") {
            continue;
        }
        if line.starts_with("#[test]") {
            after_test = true;
            continue;
        }
        if line.starts_with("#[") {
            continue;
        }
        if let Some(name) = fn_name(line) {
            if after_test {
                tests.push(name.to_string());
            } else {
                others.push(name.to_string());
            }
        }
        after_test = false;
    }
    (tests, others)
}

/// What the docs may cite: the tests of each file in `tests/lessons/`, every test
/// anywhere, and the crate's other functions.
#[derive(Default)]
struct Known {
    /// `tests/lessons/FILE.rs` to the tests it defines.
    by_file: BTreeMap<String, BTreeSet<String>>,
    /// Every test, unit tests in `src/` included.
    tests: BTreeSet<String>,
    /// Functions in `src/` and `examples/` that are not tests.
    other_fns: BTreeSet<String>,
}

impl Known {
    fn from_repository() -> Known {
        let root = root();
        let mut known = Known::default();
        for path in files(&root.join("tests/lessons"), "rs", false) {
            let (tests, _) = functions(&fs::read_to_string(&path).unwrap());
            known.tests.extend(tests.iter().cloned());
            known
                .by_file
                .insert(relative(&path), tests.into_iter().collect());
        }
        for dir in ["src", "examples"] {
            for path in files(&root.join(dir), "rs", true) {
                let (tests, others) = functions(&fs::read_to_string(&path).unwrap());
                known.tests.extend(tests);
                known.other_fns.extend(others);
            }
        }
        known
    }
}

/// A paragraph of prose: lines joined with spaces, from `line` on.
struct Paragraph {
    line: usize,
    text: String,
}

/// The paragraphs of a Markdown text, fenced code blocks left out.
/// `None` lines are breaks (code, in a Rust file).
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

/// The prose of a Rust file: its comments, each comment line stripped of
/// `//!`, `///` or `//`; every other line is a break.
fn rust_paragraphs(source: &str) -> Vec<Paragraph> {
    paragraphs(source.lines().map(|line| {
        let line = line.trim_start();
        ["//!", "///", "//"]
            .iter()
            .find_map(|prefix| line.strip_prefix(prefix))
    }))
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

/// Whether a bare name in backticks is taken for a test's name.
fn looks_like_a_test(name: &str) -> bool {
    is_snake_case(name) && name.matches('_').count() >= 3
}

/// The test file a code span names, if it is `tests/lessons/STEM.rs` with a
/// lowercase stem (anything else is a placeholder or not a path).
fn test_file(code: &str) -> Option<&str> {
    let stem = code.strip_prefix("tests/lessons/")?.strip_suffix(".rs")?;
    is_snake_case(stem).then_some(code)
}

/// Whether the text between two names of a list continues the list.
fn is_list_separator(text: &str) -> bool {
    matches!(text.trim(), "," | "and" | ", and" | "or" | ", or")
}

/// The citations in `text` that name no existing test or file.
fn broken_citations(text: &str, known: &Known) -> Vec<String> {
    let pieces = pieces(text);
    let mut problems = Vec::new();
    // Names already checked against their file, so that the bare-name rule
    // does not check them a second time.
    let mut qualified = BTreeSet::new();
    for (index, piece) in pieces.iter().enumerate() {
        let Piece::Code(code) = piece else { continue };
        let Some(file) = test_file(code) else {
            continue;
        };
        let Some(tests) = known.by_file.get(file) else {
            problems.push(format!("`{file}` does not exist"));
            continue;
        };
        // The list starts after a `:` or `(` and goes on while the text
        // between names is a separator.
        let mut next = index + 1;
        match pieces.get(next) {
            Some(Piece::Text(text)) if matches!(text.trim(), ":" | "(") => next += 1,
            _ => continue,
        }
        while let Some(Piece::Code(name)) = pieces.get(next) {
            // Another path starts a citation of its own.
            if !is_snake_case(name) {
                break;
            }
            qualified.insert(next);
            if !tests.contains(*name) {
                problems.push(format!("`{file}`: `{name}` is not a test in {file}"));
            }
            match pieces.get(next + 1) {
                Some(Piece::Text(text)) if is_list_separator(text) => next += 2,
                _ => break,
            }
        }
    }
    for (index, piece) in pieces.iter().enumerate() {
        let Piece::Code(name) = piece else { continue };
        if qualified.contains(&index)
            || !looks_like_a_test(name)
            || known.other_fns.contains(*name)
            || known.tests.contains(*name)
        {
            continue;
        }
        problems.push(format!("`{name}` is not a test anywhere"));
    }
    problems
}

#[test]
fn every_test_a_doc_names_exists() {
    let root = root();
    let known = Known::from_repository();
    assert!(
        known.by_file.len() >= 5 && known.tests.len() >= 50,
        "the scan found too few tests: is the crate's layout what this test expects?"
    );
    let mut docs: Vec<(PathBuf, Vec<Paragraph>)> = Vec::new();
    let mut markdown = vec![root.join("README.md")];
    markdown.extend(files(&root.join("docs"), "md", false));
    for path in markdown {
        let text = fs::read_to_string(&path).unwrap();
        docs.push((path, paragraphs(text.lines().map(Some))));
    }
    for dir in ["src", "examples"] {
        for path in files(&root.join(dir), "rs", true) {
            let source = fs::read_to_string(&path).unwrap();
            docs.push((path, rust_paragraphs(&source)));
        }
    }
    assert!(docs.len() >= 10, "the scan found too few docs");
    let mut problems = Vec::new();
    for (path, paragraphs) in &docs {
        for paragraph in paragraphs {
            for problem in broken_citations(&paragraph.text, &known) {
                problems.push(format!("{}:{}: {problem}", relative(path), paragraph.line));
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
fn the_scan_reads_both_citation_forms_and_passes_ordinary_identifiers() {
    let mut known = Known::default();
    let peer_tests = ["echo_sends_every_byte_back", "peer_survives_garbage"];
    known.by_file.insert(
        "tests/lessons/peer.rs".to_string(),
        peer_tests.iter().map(|t| t.to_string()).collect(),
    );
    known.tests.extend(peer_tests.iter().map(|t| t.to_string()));
    known.other_fns.insert("worth_a_new_attempt".to_string());

    // Both forms, a list, and a short test name checked against its file.
    let good = "Backed by `tests/lessons/peer.rs`: `echo_sends_every_byte_back` and \
                `peer_survives_garbage`; see also `echo_sends_every_byte_back`, \
                tests `tests/lessons/peer.rs` (`peer_survives_garbage`), `tests/lessons/FILE.rs`: `name`, \
                `tests/lessons/peer.rs`: `peer_survives_garbage` and `tests/lessons/peer.rs`: \
                `echo_sends_every_byte_back`.";
    assert_eq!(broken_citations(good, &known), Vec::<String>::new());

    // Code that is not a test: short names, paths, methods, and a function
    // the crate defines outside its tests.
    let code = "`read_exact_by`, `heartbeat::watch`, `/proc/sys/net/ipv4/tcp_keepalive_time`, \
                `Failure::worth_a_new_attempt`, `worth_a_new_attempt`, `CONFIG_HZ=250`, \
                ```text``` and `tests/lessons/peer.rs`: both tests above.";
    assert_eq!(broken_citations(code, &known), Vec::<String>::new());

    // A renamed test, in each form, and a file that does not exist.
    let bad = "`tests/lessons/peer.rs`: `echo_sends_every_byte_back`, `peer_survives_garbage_twice`; \
               `a_test_that_was_renamed`; `tests/lessons/nowhere.rs`: `echo_sends_every_byte_back`; \
               `tests/lessons/peer.rs` (`peer_survives`).";
    assert_eq!(
        broken_citations(bad, &known),
        vec![
            "`tests/lessons/peer.rs`: `peer_survives_garbage_twice` is not a test in tests/lessons/peer.rs",
            "`tests/lessons/nowhere.rs` does not exist",
            "`tests/lessons/peer.rs`: `peer_survives` is not a test in tests/lessons/peer.rs",
            "`a_test_that_was_renamed` is not a test anywhere",
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
    let found = paragraphs(fenced.lines().map(Some));
    let texts: Vec<&str> = found.iter().map(|p| p.text.trim()).collect();
    assert_eq!(texts, ["intro", "after"]);
    assert_eq!(found[1].line, 5);
}
