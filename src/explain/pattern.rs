//! A message's text with holes, and the search for it in a pasted text.
//! The holes: `{n}`, `{port}`, `{host}`, `{addr}`, `{path}`, `{*}` (any
//! text on the line), `{**}` (any text, lines included) and `{end}` (the
//! end of a line).
//!
//! The search reads the text once per entry, keeping the set of places in
//! the pattern it could be at (a small automaton, as a regular expression
//! engine without backtracking does), so that no input, however long or
//! strange, makes it slow or makes it fail.

/// How many characters a hole matches at most, as far as the search goes:
/// a match with a longer hole is not found. Room for a long URL.
pub const HOLE_AT_MOST: usize = 512;

/// What a hole matches: one or more characters of its class; `{*}`, any
/// run of characters on the line, none included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// `{n}`: digits, with `.` and `,` inside numbers such as `2.5` or `1,000`.
    Number,
    /// `{port}`: digits.
    Port,
    /// `{host}` and `{addr}`: names and addresses, `[::1]:8080` included.
    Host,
    /// `{path}`: anything but a space.
    Path,
    /// `{*}`: anything but the end of the line.
    Any,
    /// `{**}`: anything, lines included: a message and its cause, printed
    /// on lines of their own.
    Lines,
}

impl Class {
    fn of(name: &str) -> Option<Class> {
        match name {
            "n" => Some(Class::Number),
            "port" => Some(Class::Port),
            "host" | "addr" => Some(Class::Host),
            "path" => Some(Class::Path),
            "*" => Some(Class::Any),
            "**" => Some(Class::Lines),
            _ => None,
        }
    }

    fn holds(self, c: char) -> bool {
        match self {
            Class::Number => c.is_ascii_digit() || c == '.' || c == ',',
            Class::Port => c.is_ascii_digit(),
            Class::Host => c.is_alphanumeric() || ".-_:[]%".contains(c),
            Class::Path => c != ' ' && c != '\n',
            Class::Any => c != '\n',
            Class::Lines => true,
        }
    }
}

/// One step of a pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Node {
    /// This character, already folded (see [`fold`]).
    Char(char),
    /// One character of the class, which a `More` of the same class follows.
    One(Class),
    /// The end of a line: a `\n`, or the end of the text.
    End,
    /// Any number of characters of the class, none included.
    More(Class),
}

/// A message's text, read into steps.
pub struct Pattern {
    nodes: Vec<Node>,
}

impl Pattern {
    /// Reads `text`: `{n}`, `{port}`, `{host}`, `{addr}`, `{path}` and
    /// `{*}` are holes; any other brace is a character.
    pub fn new(text: &str) -> Pattern {
        let mut nodes = Vec::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if let Some(after) = rest.strip_prefix("{end}") {
                nodes.push(Node::End);
                rest = after;
                continue;
            }
            let hole = rest
                .strip_prefix('{')
                .and_then(|after| after.split_once('}'))
                .and_then(|(name, after)| Class::of(name).map(|class| (class, after)));
            match hole {
                Some((class @ (Class::Any | Class::Lines), after)) => {
                    nodes.push(Node::More(class));
                    rest = after;
                }
                Some((class, after)) => {
                    nodes.extend([Node::One(class), Node::More(class)]);
                    rest = after;
                }
                None => {
                    fold_into(c, &mut nodes);
                    rest = &rest[c.len_utf8()..];
                }
            }
        }
        Pattern { nodes }
    }

    /// How many characters the pattern matches as written: the more, the
    /// more specific.
    pub fn literal_len(&self) -> usize {
        self.nodes
            .iter()
            .filter(|node| matches!(node, Node::Char(_)))
            .count()
    }

    /// Whether the pattern begins with a character rather than a hole.
    #[cfg(test)]
    pub fn starts_with_text(&self) -> bool {
        matches!(self.nodes.first(), Some(Node::Char(_)))
    }

    /// The longest run of characters in the pattern, folded: a text that
    /// lacks it cannot hold the pattern.
    fn longest_run(&self) -> String {
        let mut best = String::new();
        let mut run = String::new();
        for node in &self.nodes {
            if let Node::Char(c) = node {
                run.push(*c);
                if run.len() > best.len() {
                    best = run.clone();
                }
            } else {
                run.clear();
            }
        }
        best
    }

    /// Whether `text` (folded by [`Text::new`]) holds the pattern anywhere.
    ///
    /// Any match holds the pattern's longest run of characters, so only the
    /// stretches of text around that run's places are searched, each as
    /// far as a match can reach ([`HOLE_AT_MOST`] characters per hole),
    /// and each character at most once: a text full of near-misses costs
    /// no more than one pass.
    pub fn is_in(&self, text: &Text) -> bool {
        let run = self.longest_run();
        let folded = &text.folded;
        if self.nodes.is_empty() || run.is_empty() || !folded.contains(&run) {
            return false;
        }
        let holes = self.nodes.len() - self.literal_len();
        let reach = self.literal_len() + holes * HOLE_AT_MOST;
        let mut stretch: Option<(usize, usize)> = None;
        for (at, _) in folded.match_indices(&run) {
            let (start, end) = (at.saturating_sub(reach), at + run.len() + reach);
            stretch = match stretch {
                Some((from, to)) if start <= to => Some((from, end)),
                Some((from, to)) => {
                    if self.is_in_stretch(folded, from, to) {
                        return true;
                    }
                    Some((start, end))
                }
                None => Some((start, end)),
            };
        }
        stretch.is_some_and(|(from, to)| self.is_in_stretch(folded, from, to))
    }

    /// The search over `text[from..to]`, the bounds moved to character
    /// boundaries and `to` kept within the text.
    fn is_in_stretch(&self, text: &str, from: usize, to: usize) -> bool {
        let mut from = from.min(text.len());
        while !text.is_char_boundary(from) {
            from -= 1;
        }
        let mut to = to.min(text.len());
        while !text.is_char_boundary(to) {
            to += 1;
        }
        self.is_in_str(&text[from..to], to == text.len())
    }

    /// The search itself, in one pass over `text`; `ends` says whether
    /// the text's end is the end of a line (for `{end}`). It keeps the
    /// steps it could be at, few at any time, in a list.
    fn is_in_str(&self, text: &str, ends: bool) -> bool {
        let end = self.nodes.len();
        // `seen[k]`: step k is in the list being built.
        let mut seen = vec![false; end + 1];
        let mut at: Vec<usize> = Vec::new();
        let mut next: Vec<usize> = Vec::new();
        for c in text.chars() {
            self.add(0, &mut at, &mut seen);
            for &k in &at {
                seen[k] = false;
            }
            next.clear();
            for &k in &at {
                let step = match self.nodes.get(k) {
                    Some(Node::Char(want)) if *want == c => Some(k + 1),
                    Some(Node::One(class)) if class.holds(c) => Some(k + 1),
                    Some(Node::More(class)) if class.holds(c) => Some(k),
                    Some(Node::End) if c == '\n' => Some(k + 1),
                    _ => None,
                };
                if let Some(step) = step {
                    self.add(step, &mut next, &mut seen);
                }
            }
            std::mem::swap(&mut at, &mut next);
            if at.contains(&end) {
                return true;
            }
        }
        if !ends {
            return false;
        }
        // The end of the text ends a line too.
        self.add(0, &mut at, &mut seen);
        let ended: Vec<usize> = at
            .iter()
            .filter(|&&k| self.nodes.get(k) == Some(&Node::End))
            .map(|&k| k + 1)
            .collect();
        for k in ended {
            self.add(k, &mut at, &mut seen);
        }
        at.contains(&end)
    }

    /// Adds step `k` to `at`, and the steps after it while a `More`, which
    /// may match nothing, stands first.
    fn add(&self, mut k: usize, at: &mut Vec<usize>, seen: &mut [bool]) {
        loop {
            if !seen[k] {
                seen[k] = true;
                at.push(k);
            }
            match self.nodes.get(k) {
                Some(Node::More(_)) => k += 1,
                _ => return,
            }
        }
    }

    /// The words of the pattern's own text, holes left out.
    pub fn words(&self) -> Vec<String> {
        let text: String = self
            .nodes
            .iter()
            .map(|node| match node {
                Node::Char(c) => *c,
                _ => ' ',
            })
            .collect();
        words(&text)
    }
}

/// A pasted text, folded for the search: lower case, every run of spaces
/// and tabs one space, every line ending one `\n`.
pub struct Text {
    folded: String,
}

impl Text {
    pub fn new(text: &str) -> Text {
        let mut nodes = Vec::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            // A terminal's colour codes (ESC [ ... letter) are no text.
            if c == '\u{1b}' {
                let mut rest = chars.clone();
                if rest.next() == Some('[') {
                    chars = rest;
                    for code in chars.by_ref() {
                        if code.is_ascii_alphabetic() {
                            break;
                        }
                    }
                    continue;
                }
            }
            fold_into(c, &mut nodes);
        }
        let folded = nodes
            .into_iter()
            .filter_map(|node| match node {
                Node::Char(c) => Some(c),
                _ => None,
            })
            .collect();
        Text { folded }
    }

    /// The words of the text, for the nearest entries.
    pub fn words(&self) -> Vec<String> {
        words(&self.folded)
    }
}

/// Appends `c`, folded, to `nodes`: lower case; a space or tab after a
/// space adds nothing; `\r` is dropped, so that `\r\n` ends a line as `\n`.
fn fold_into(c: char, nodes: &mut Vec<Node>) {
    let c = match c {
        '\t' => ' ',
        '\r' => return,
        c => c,
    };
    if c == ' ' && nodes.last() == Some(&Node::Char(' ')) {
        return;
    }
    nodes.extend(c.to_lowercase().map(Node::Char));
}

/// The words of `text` worth comparing: runs of letters, three or more.
fn words(text: &str) -> Vec<String> {
    let mut found: Vec<String> = text
        .split(|c: char| !c.is_alphabetic())
        .filter(|word| word.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect();
    found.sort();
    found.dedup();
    found
}
