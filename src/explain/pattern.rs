//! A message's text with holes, and the search for it in a pasted text.
//! The holes: `{n}`, `{port}`, `{host}`, `{addr}`, `{path}`, `{*}` (any
//! text on the line) and `{**}` (any text, lines included).
//!
//! The search reads the text once per entry, keeping the set of places in
//! the pattern it could be at (a small automaton, as a regular expression
//! engine without backtracking does), so that no input, however long or
//! strange, makes it slow or makes it fail.

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
    pub fn is_in(&self, text: &Text) -> bool {
        if self.nodes.is_empty() || !text.folded.contains(&self.longest_run()) {
            return false;
        }
        let end = self.nodes.len();
        // `at[k]`: the text read so far can end just before step k.
        let mut at = vec![false; end + 1];
        for c in text.folded.chars() {
            at[0] = true;
            self.skip_empty(&mut at);
            let mut next = vec![false; end + 1];
            for k in (0..end).filter(|&k| at[k]) {
                match self.nodes[k] {
                    Node::Char(want) if want == c => next[k + 1] = true,
                    Node::One(class) if class.holds(c) => next[k + 1] = true,
                    Node::More(class) if class.holds(c) => next[k] = true,
                    _ => {}
                }
            }
            at = next;
            self.skip_empty(&mut at);
            if at[end] {
                return true;
            }
        }
        false
    }

    /// A `More` may match nothing: where it can start, so can the step
    /// after it.
    fn skip_empty(&self, at: &mut [bool]) {
        for k in 0..self.nodes.len() {
            if at[k] && matches!(self.nodes[k], Node::More(_)) {
                at[k + 1] = true;
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
        for c in text.chars() {
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
