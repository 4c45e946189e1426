//! The line protocol that the heartbeat client and the lab peer speak.
//!
//! A client sends the line `PING`; a live peer answers with the line `PONG`.
//! A line ends with `\n` (a `\r\n` is accepted too), and the messages are
//! spelled here once, without their newline: [`PING`], [`PONG`].
//! [`LineBuffer`] splits received bytes into lines.
//!
//! A reader that collects bytes "until the newline" in a growing buffer can
//! be made to allocate without limit by a sender that never sends one, so
//! [`LineBuffer`] refuses to hold more than [`MAX_LINE`] bytes of an
//! unfinished line.
//!
//! # Examples
//!
//! ```
//! use reset_by_peer::line::{LineBuffer, PING, with_newline};
//!
//! let mut lines = LineBuffer::default();
//! lines.push(&with_newline(PING)).unwrap();
//! assert_eq!(lines.next_line(), Ok(Some(PING.to_vec())));
//! assert_eq!(lines.next_line(), Ok(None));
//! ```

use std::fmt;

/// The line a heartbeat client sends, without its newline.
pub const PING: &[u8] = b"PING";

/// The line a live peer answers with, without its newline.
pub const PONG: &[u8] = b"PONG";

/// Appends the newline that ends a line on the wire: `PING` becomes `PING\n`.
///
/// # Examples
///
/// ```
/// use reset_by_peer::line::{PONG, with_newline};
///
/// assert_eq!(with_newline(PONG), b"PONG\n");
/// ```
pub fn with_newline(line: &[u8]) -> Vec<u8> {
    [line, b"\n"].concat()
}

/// The longest line, without its newline, that the buffer accepts.
pub const MAX_LINE: usize = 64;

/// Why a line could not be taken from the buffer: it is longer than
/// [`MAX_LINE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLong;

impl fmt::Display for TooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a line is longer than {MAX_LINE} bytes")
    }
}

impl std::error::Error for TooLong {}

/// Bytes received but not yet split into lines.
#[derive(Debug, Default)]
pub struct LineBuffer {
    // Never longer than MAX_LINE plus one read's worth of bytes, because
    // `push` refuses to grow it further once a line has gone over the cap.
    pending: Vec<u8>,
}

impl LineBuffer {
    /// Appends freshly read bytes.
    ///
    /// # Errors
    ///
    /// [`TooLong`], with the buffer emptied, if the unfinished line would go
    /// over [`MAX_LINE`]: the caller should then drop the connection.
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::line::{LineBuffer, MAX_LINE};
    ///
    /// let mut lines = LineBuffer::default();
    /// assert!(lines.push(&[b'x'; MAX_LINE]).is_ok());
    /// assert!(lines.push(b"x").is_err());
    /// ```
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), TooLong> {
        self.pending.extend_from_slice(bytes);
        // Only the part after the last newline is an unfinished line.
        let unfinished = match self.pending.iter().rposition(|&b| b == b'\n') {
            Some(last_newline) => self.pending.len() - last_newline - 1,
            None => self.pending.len(),
        };
        if unfinished > MAX_LINE {
            self.pending.clear();
            return Err(TooLong);
        }
        Ok(())
    }

    /// Forgets every byte received so far, finished lines included.
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::line::LineBuffer;
    ///
    /// let mut lines = LineBuffer::default();
    /// lines.push(b"PONG\n").unwrap();
    /// lines.clear();
    /// assert_eq!(lines.next_line(), Ok(None));
    /// ```
    pub fn clear(&mut self) {
        self.pending.clear();
    }

    /// Takes the next complete line, without its `\n` or `\r\n`.
    ///
    /// # Errors
    ///
    /// [`TooLong`] if a complete line is longer than [`MAX_LINE`].
    ///
    /// # Examples
    ///
    /// ```
    /// use reset_by_peer::line::LineBuffer;
    ///
    /// let mut lines = LineBuffer::default();
    /// lines.push(b"PONG\r\nPO").unwrap();
    /// assert_eq!(lines.next_line(), Ok(Some(b"PONG".to_vec())));
    /// // "PO" is not a line yet.
    /// assert_eq!(lines.next_line(), Ok(None));
    /// ```
    pub fn next_line(&mut self) -> Result<Option<Vec<u8>>, TooLong> {
        let Some(newline) = self.pending.iter().position(|&b| b == b'\n') else {
            return Ok(None);
        };
        // `drain` hands back the line with its newline and keeps the rest.
        let mut line: Vec<u8> = self.pending.drain(..=newline).collect();
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        if line.len() > MAX_LINE {
            return Err(TooLong);
        }
        Ok(Some(line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lines_and_strips_endings() {
        let mut buffer = LineBuffer::default();
        buffer.push(b"PING\r\nPI").unwrap();
        assert_eq!(buffer.next_line(), Ok(Some(b"PING".to_vec())));
        assert_eq!(buffer.next_line(), Ok(None));
        buffer.push(b"NG\n").unwrap();
        assert_eq!(buffer.next_line(), Ok(Some(b"PING".to_vec())));
    }

    #[test]
    fn refuses_an_unfinished_line_over_the_cap() {
        let mut buffer = LineBuffer::default();
        assert_eq!(buffer.push(&[b'x'; MAX_LINE]), Ok(()));
        assert_eq!(buffer.push(b"x"), Err(TooLong));
    }

    #[test]
    fn refuses_a_finished_line_over_the_cap() {
        let mut buffer = LineBuffer::default();
        let mut long = vec![b'x'; MAX_LINE + 1];
        long.push(b'\n');
        // The line is complete, so `push` accepts it; `next_line` refuses it.
        assert_eq!(buffer.push(&long), Ok(()));
        assert_eq!(buffer.next_line(), Err(TooLong));
    }
}
