//! Paste your error: what a message from any stack means on the wire.
//!
//! People reach the article holding an error message, and it is rarely
//! Python's. Each stack prints the same few TCP events in its own words,
//! and several name the wrong event:
//!
//! - Python's `RemoteDisconnected` subclasses `ConnectionResetError`, yet
//!   it is raised on a clean close (FIN) before any answer, not on a reset;
//! - libpq prints "server closed the connection unexpectedly" for a FIN and
//!   for an RST alike;
//! - nginx's `upstream timed out (110: Connection timed out)` is nginx's
//!   own timer (`proxy_read_timeout`), not the kernel giving up, though it
//!   prints the kernel's errno;
//! - Go's `use of closed network connection` is the program's own close.
//!
//! [`explain`] looks a text up in [`MESSAGES`], a table of messages from a
//! dozen stacks, each with the event in one vocabulary ([`Event`]), where
//! it met the program ([`Place`]), whether a new connection may carry the
//! request again ([`Retry`], the rule of [`reuse`](crate::reuse)), the lab
//! script that reproduces it, the lesson that handles it, and where the
//! text is in the stack's source. A text it does not know is
//! [`Explanation::Unknown`], with the nearest entries, never a guess
//! presented as a match.
//!
//! `tests/clients.rs` runs the real clients installed (curl, Python,
//! Node, Java) against the lab peer and checks that what each one prints is
//! explained with the right event.
//!
//! # Examples
//!
//! ```
//! use reset_by_peer::explain::{Event, Explanation, explain};
//!
//! match explain("curl: (52) Empty reply from server") {
//!     Explanation::Known(message) => {
//!         assert_eq!(message.event, Event::ClosedBeforeAnswer);
//!         assert_eq!(message.script, "close");
//!     }
//!     Explanation::Unknown { .. } => panic!("curl's 52 is in the table"),
//! }
//! ```

mod message;
mod messages;
mod pattern;

pub use message::{Event, Message, Place, Retry};
pub use messages::MESSAGES;

use pattern::{Pattern, Text};

/// How much of a text [`explain`] reads: a message is a line or a few; a
/// log pasted whole is read up to here.
pub const READ_AT_MOST: usize = 64 * 1024;

/// How many of the nearest entries an unknown text gets.
pub const NEAREST: usize = 3;

/// What [`explain`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Explanation {
    /// The entry whose text the input holds: when several match, one that
    /// names an event before one that does not, then the most specific
    /// (the one with the most literal text).
    Known(&'static Message),
    /// No entry matches; these share the most words with the input, best
    /// first (none if no entry shares a word).
    Unknown {
        /// The nearest entries, best first.
        nearest: Vec<&'static Message>,
    },
}

/// Looks `text` up in [`MESSAGES`]: the text may hold the message anywhere,
/// in a longer line or a pasted log. Only the first [`READ_AT_MOST`] bytes
/// are read. Never panics, whatever the text.
///
/// # Examples
///
/// ```
/// use reset_by_peer::explain::{Event, Explanation, explain};
///
/// let log = "2026/12/04 [error] 12#12: *3 upstream timed out (110: Connection timed out) \
///            while reading response header from upstream, client: 10.0.0.2";
/// let Explanation::Known(message) = explain(log) else { panic!("nginx is in the table") };
/// // nginx's own timer, proxy_read_timeout, though it prints the kernel's errno.
/// assert_eq!(message.event, Event::OwnTimeout);
///
/// assert!(matches!(explain("the printer is on fire"), Explanation::Unknown { .. }));
/// ```
pub fn explain(text: &str) -> Explanation {
    let text = Text::new(prefix(text, READ_AT_MOST));
    // An entry that names an event beats one that does not (a wrapper
    // such as Node's `fetch failed`, whose cause is printed with it); then
    // the most specific, with the most literal text.
    let best = MESSAGES
        .iter()
        .filter(|message| Pattern::new(message.text).is_in(&text))
        .max_by_key(|message| {
            let known = message.event != Event::Unknown;
            (known, Pattern::new(message.text).literal_len())
        });
    match best {
        Some(message) => Explanation::Known(message),
        None => Explanation::Unknown {
            nearest: nearest(&text),
        },
    }
}

/// The entries that share the most words with `text`, best first.
fn nearest(text: &Text) -> Vec<&'static Message> {
    let words = text.words();
    let mut scored: Vec<(usize, &'static Message)> = MESSAGES
        .iter()
        .map(|message| {
            let shared = Pattern::new(message.text)
                .words()
                .iter()
                .filter(|word| words.contains(word))
                .count();
            (shared, message)
        })
        .filter(|(shared, _)| *shared > 0)
        .collect();
    // Stable: among equals, the table's order.
    scored.sort_by_key(|(shared, _)| std::cmp::Reverse(*shared));
    scored
        .into_iter()
        .take(NEAREST)
        .map(|(_, message)| message)
        .collect()
}

/// The first `limit` bytes of `text`, cut at a character boundary.
fn prefix(text: &str, limit: usize) -> &str {
    let mut end = text.len().min(limit);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An entry's text with each hole filled as a real message fills it.
    fn sample(text: &str) -> String {
        text.replace("{n}", "2008")
            .replace("{port}", "8080")
            .replace("{host}", "127.0.0.1")
            .replace("{addr}", "127.0.0.1:8080")
            .replace("{path}", "/index.html")
            .replace("{**}", "\n    at somewhere\n  [cause]: ")
            .replace("{*}", "something")
            .replace("{end}", "\n")
    }

    #[test]
    fn every_entry_starts_with_text_and_no_two_are_the_same() {
        for (at, message) in MESSAGES.iter().enumerate() {
            assert!(
                Pattern::new(message.text).starts_with_text(),
                "{}",
                message.text
            );
            assert!(!message.source.is_empty(), "{}: no source", message.text);
            let twin = MESSAGES[at + 1..]
                .iter()
                .find(|other| other.text == message.text);
            assert!(twin.is_none(), "twice: {}", message.text);
        }
    }

    #[test]
    fn every_entry_explains_its_own_text_with_its_own_event() {
        for message in MESSAGES {
            let text = sample(message.text);
            match explain(&text) {
                Explanation::Known(found) => assert_eq!(
                    (found.event, found.place),
                    (message.event, message.place),
                    "{text:?} is explained by {:?}",
                    found.text
                ),
                Explanation::Unknown { .. } => panic!("{text:?} is not explained"),
            }
        }
    }

    #[test]
    fn the_table_holds_sixty_messages_from_twelve_stacks() {
        let mut stacks: Vec<&str> = MESSAGES.iter().map(|message| message.stack).collect();
        stacks.sort();
        stacks.dedup();
        assert!(MESSAGES.len() >= 60, "{} messages", MESSAGES.len());
        assert!(stacks.len() >= 12, "{stacks:?}");
    }

    #[test]
    fn no_input_makes_it_panic_or_match_by_accident() {
        let mut x: u32 = 2_463_534_242;
        let bytes: Vec<u8> = (0..1 << 20)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        let noise = String::from_utf8_lossy(&bytes);
        for text in [
            &noise[..],
            "",
            "\0",
            "{n}",
            "{*}{*}",
            &"a".repeat(1 << 20),
            &"\u{1F600}".repeat(70_000),
        ] {
            assert!(matches!(explain(text), Explanation::Unknown { .. }));
        }
        // A cut in the middle of a character is never made.
        let cut = "é".repeat(READ_AT_MOST);
        assert!(matches!(explain(&cut), Explanation::Unknown { .. }));
    }
}
