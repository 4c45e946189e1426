//! Exercise 9, solved: send again only after a reused connection was found
//! dead before any of the answer came, and only what is safe to repeat (or
//! was never sent). (reset_by_peer::reuse::may_retry draws the same line.)

use std::io::ErrorKind;

use super::ex9::Failed;

pub fn send_again(failed: &Failed, idempotent: bool) -> bool {
    // Changed: the evidence of a stale connection is that it was found
    // dead: reset, aborted, or at its end.
    let found_dead = matches!(
        failed.error.kind(),
        ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::BrokenPipe
            | ErrorKind::UnexpectedEof
            | ErrorKind::NotConnected
    );
    // Changed: only a reused connection can be stale; an answer that had
    // begun means the server acted; a request not one byte of which went
    // out is safe to send whatever it does.
    failed.reused && failed.received == 0 && found_dead && (idempotent || failed.sent == 0)
}
