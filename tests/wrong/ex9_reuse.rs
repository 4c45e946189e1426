//! Exercise 9: wrong but plausible fixes, each of which the check must fail.

/// Sends again whenever the request is safe to repeat, whatever happened:
/// a fresh connection's reset, a half-delivered answer, a timeout.
pub mod whenever_idempotent {
    use super::super::ex9::Failed;

    pub fn send_again(_failed: &Failed, idempotent: bool) -> bool {
        idempotent
    }
}

/// Forgets that a request may not be safe to repeat: "charge the card"
/// goes out twice.
pub mod ignores_idempotency {
    use std::io::ErrorKind;

    use super::super::ex9::Failed;

    pub fn send_again(failed: &Failed, _idempotent: bool) -> bool {
        failed.reused
            && failed.received == 0
            && matches!(
                failed.error.kind(),
                ErrorKind::ConnectionReset | ErrorKind::BrokenPipe | ErrorKind::UnexpectedEof
            )
    }
}

/// Counts only a reset as a stale connection: the server's keep-alive
/// timeout, which shows as the end of the stream, fails for good.
pub mod reset_only {
    use std::io::ErrorKind;

    use super::super::ex9::Failed;

    pub fn send_again(failed: &Failed, idempotent: bool) -> bool {
        failed.reused
            && failed.received == 0
            && idempotent
            && failed.error.kind() == ErrorKind::ConnectionReset
    }
}

/// Takes a timeout for a stale connection and sends a second copy to a
/// server that may be busy with the first.
pub mod timeouts_too {
    use std::io::ErrorKind;

    use super::super::ex9::Failed;

    pub fn send_again(failed: &Failed, idempotent: bool) -> bool {
        let dead_or_slow = matches!(
            failed.error.kind(),
            ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::BrokenPipe
                | ErrorKind::UnexpectedEof
                | ErrorKind::NotConnected
                | ErrorKind::TimedOut
                | ErrorKind::WouldBlock
        );
        failed.reused && failed.received == 0 && dead_or_slow && (idempotent || failed.sent == 0)
    }
}

/// Forgets to ask whether the connection was reused: a fresh connection's
/// reset is the server's answer, and belongs to the retry policy.
pub mod any_connection {
    use std::io::ErrorKind;

    use super::super::ex9::Failed;

    pub fn send_again(failed: &Failed, idempotent: bool) -> bool {
        let found_dead = matches!(
            failed.error.kind(),
            ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::BrokenPipe
                | ErrorKind::UnexpectedEof
                | ErrorKind::NotConnected
        );
        failed.received == 0 && found_dead && (idempotent || failed.sent == 0)
    }
}

/// Right about staleness, but never sends a request that is not safe to
/// repeat, even one that never left this machine.
pub mod never_unless_idempotent {
    use std::io::ErrorKind;

    use super::super::ex9::Failed;

    pub fn send_again(failed: &Failed, idempotent: bool) -> bool {
        let found_dead = matches!(
            failed.error.kind(),
            ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::BrokenPipe
                | ErrorKind::UnexpectedEof
                | ErrorKind::NotConnected
        );
        failed.reused && failed.received == 0 && found_dead && idempotent
    }
}

/// A deny list: everything that is not known to be harmless is taken for a
/// dead connection, so an unreachable host or a permission counts as stale.
pub mod deny_list {
    use std::io::ErrorKind;

    use super::super::ex9::Failed;

    pub fn send_again(failed: &Failed, idempotent: bool) -> bool {
        let harmless = matches!(
            failed.error.kind(),
            ErrorKind::TimedOut
                | ErrorKind::WouldBlock
                | ErrorKind::Interrupted
                | ErrorKind::ConnectionRefused
                | ErrorKind::InvalidInput
        );
        failed.reused && failed.received == 0 && !harmless && (idempotent || failed.sent == 0)
    }
}

/// Forgets to ask how much of the answer came: a connection that died
/// while its answer was arriving is taken for a stale one, though the
/// server got the request and acted on it.
pub mod after_part_of_the_answer {
    use std::io::ErrorKind;

    use super::super::ex9::Failed;

    pub fn send_again(failed: &Failed, idempotent: bool) -> bool {
        let found_dead = matches!(
            failed.error.kind(),
            ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::BrokenPipe
                | ErrorKind::UnexpectedEof
                | ErrorKind::NotConnected
        );
        failed.reused && found_dead && (idempotent || failed.sent == 0)
    }
}

/// Counts an interrupted call among the signs of a dead connection, as
/// "call it again" (exercise 3) became "send it again": a signal says
/// nothing about the connection.
pub mod interrupted_too {
    use std::io::ErrorKind;

    use super::super::ex9::Failed;

    pub fn send_again(failed: &Failed, idempotent: bool) -> bool {
        let again = matches!(
            failed.error.kind(),
            ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::BrokenPipe
                | ErrorKind::UnexpectedEof
                | ErrorKind::NotConnected
                | ErrorKind::Interrupted
        );
        failed.reused && failed.received == 0 && again && (idempotent || failed.sent == 0)
    }
}
