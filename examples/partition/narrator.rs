//! The narration of the clients' role: each client's thread sends what it
//! saw as a [`Note`], and one [`Narrator`] prints the notes in order, with
//! times from the start of the watch.

use std::io;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::Instant;

use crate::STEP_BOUND;
use crate::output::tell;

/// Something a client saw, sent to the narrating thread.
pub enum Note {
    /// A line to print, with the time it happened.
    Line {
        at: Instant,
        who: &'static str,
        human: String,
        fields: String,
    },
    /// The heartbeat's first answer: the moment to cut the link.
    FirstPong,
    /// One client is done, at this time.
    Done(&'static str, Instant),
}

/// Sends a line that happened now.
pub fn note(notes: &Sender<Note>, who: &'static str, human: String, fields: String) {
    let _ = notes.send(Note::Line {
        at: Instant::now(),
        who,
        human,
        fields,
    });
}

/// The width of the column that names the client.
const WHO_WIDTH: usize = 13;

/// Prints notes, with times from the start of the watch.
pub struct Narrator {
    start: Instant,
    machine: bool,
}

impl Narrator {
    /// A narrator whose watch starts now.
    pub fn starting_now(machine: bool) -> Narrator {
        Narrator {
            start: Instant::now(),
            machine,
        }
    }

    pub fn line(&self, at: Instant, who: &str, human: &str, fields: &str) {
        let since = at.saturating_duration_since(self.start);
        let ms = since.as_millis();
        // Continuation lines of a note line up under its first line:
        // "[+1234 ms] " and the name's column.
        let human = human.replace(
            '\n',
            &format!("\n{:width$}", "", width = 11 + WHO_WIDTH + 1),
        );
        tell(
            self.machine,
            format!("[+{ms:>4} ms] {who:<WHO_WIDTH$} {human}"),
            format!("{} at_us={}", fields, since.as_micros()),
        );
    }

    fn print(&self, note: Note) {
        if let Note::Line {
            at,
            who,
            human,
            fields,
        } = note
        {
            self.line(at, who, &human, &fields);
        }
    }

    /// Prints notes until one matches, within [`STEP_BOUND`]; returns it.
    pub fn wait_for(
        &self,
        notes: &Receiver<Note>,
        wanted: impl Fn(&Note) -> bool,
    ) -> io::Result<Note> {
        let deadline = Instant::now() + STEP_BOUND;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match notes.recv_timeout(left) {
                Ok(note) if wanted(&note) => return Ok(note),
                Ok(note) => self.print(note),
                Err(RecvTimeoutError::Timeout) => {
                    return Err(io::Error::other(format!(
                        "nothing happened within {} s: is tcp_retries2 lowered?",
                        STEP_BOUND.as_secs()
                    )));
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(io::Error::other("a client thread stopped early"));
                }
            }
        }
    }
}
