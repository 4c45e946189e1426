//! An answer's code, read as the rules about answers need it: its words,
//! numbers, strings and characters, comments left out. Not a Rust lexer:
//! enough to see what an answer names and what literals it holds.

/// One piece of code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token<'a> {
    /// A name: `path`, `still_usable`, `r#path` (read as `path`).
    Word(&'a str),
    /// A number, as written: `110`, `0x6e`, `1_000`.
    Number(&'a str),
    /// A string literal, quotes included: `"timed out"`, `b"PONG"`.
    Str(&'a str),
    /// A character literal, quotes included: `'n'`, `'\n'`.
    Char(&'a str),
}

/// The words and literals of `code`, in order, without its comments (`//`,
/// and `/* */`, which nest). A lifetime (`'a`) is neither.
pub fn tokens(code: &str) -> Vec<Token<'_>> {
    let bytes = code.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let rest = &code[at..];
        let len = if rest.starts_with("//") {
            rest.find('\n').unwrap_or(rest.len())
        } else if rest.starts_with("/*") {
            block_comment_len(rest)
        } else if rest.starts_with('"') {
            let len = quoted_len(rest, '"');
            found.push(Token::Str(&rest[..len]));
            len
        } else if rest.starts_with('\'') {
            match char_literal_len(rest) {
                Some(len) => {
                    found.push(Token::Char(&rest[..len]));
                    len
                }
                None => 1,
            }
        } else if rest.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
            let len = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let word = &rest[..len];
            found.push(if word.starts_with(|c: char| c.is_ascii_digit()) {
                Token::Number(word)
            } else {
                Token::Word(word)
            });
            len
        } else {
            rest.chars().next().map_or(1, char::len_utf8)
        };
        at += len.max(1);
    }
    found
}

/// The length of the block comment that opens `text`, nested ones inside.
fn block_comment_len(text: &str) -> usize {
    let mut depth = 0;
    let mut at = 0;
    while at < text.len() {
        if text[at..].starts_with("/*") {
            depth += 1;
            at += 2;
        } else if text[at..].starts_with("*/") {
            depth -= 1;
            at += 2;
            if depth == 0 {
                return at;
            }
        } else {
            at += text[at..].chars().next().map_or(1, char::len_utf8);
        }
    }
    text.len()
}

/// The length of the literal that `quote` opens at the start of `text`, up
/// to its closing quote (a backslash escapes the character after it), or
/// to the end of the text.
fn quoted_len(text: &str, quote: char) -> usize {
    let mut chars = text.char_indices().skip(1);
    while let Some((at, c)) = chars.next() {
        if c == '\\' {
            chars.next();
        } else if c == quote {
            return at + c.len_utf8();
        }
    }
    text.len()
}

/// The length of the character literal at the start of `text` (`'a'`,
/// `'\n'`, `'\u{1F600}'`), or None if the quote opens a lifetime.
fn char_literal_len(text: &str) -> Option<usize> {
    let mut chars = text.char_indices().skip(1);
    let (_, first) = chars.next()?;
    if first == '\\' {
        return Some(quoted_len(text, '\''));
    }
    match chars.next() {
        Some((at, '\'')) => Some(at + 1),
        _ => None,
    }
}
