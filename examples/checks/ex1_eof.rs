//! The check of exercise 1, kept apart from the exercise: what a right
//! answer must do, case by case, and the reason a wrong one fails.

use super::*;

/// What a case expects `receive_all` to return.
enum Expect {
    /// These bytes, and no error.
    Bytes(Vec<u8>),
    /// The error ConnectionReset.
    Reset,
}

/// Checks `receive` against a reply in one piece, a reply in several, a
/// clean close with no reply, a reset, and a reset after some data.
pub fn check(receive: fn(&mut TcpStream) -> io::Result<Vec<u8>>) -> Result<(), String> {
    let cases = [
        (
            Server::Lab(Script::Echo),
            "echoes hello, then closes",
            Expect::Bytes(b"hello".to_vec()),
        ),
        (
            Server::Chunks,
            "answers in 3 pieces, then closes",
            Expect::Bytes(CHUNKS.concat()),
        ),
        (
            Server::Long,
            "answers 100000 bytes, then closes",
            Expect::Bytes(vec![LONG_BYTE; LONG]),
        ),
        (
            Server::Lab(Script::Close),
            "closes without answering",
            Expect::Bytes(Vec::new()),
        ),
        (Server::Lab(Script::Reset), "resets", Expect::Reset),
        (
            Server::Lab(Script::HelloReset),
            "sends a greeting, then resets",
            Expect::Reset,
        ),
    ];
    for (server, what, expected) in cases {
        let name = server.name();
        let got = against(server, receive);
        match (expected, got) {
            (Expect::Bytes(want), Ok(bytes)) if bytes == want => {}
            (Expect::Bytes(want), Ok(bytes)) => {
                return Err(format!(
                    "{name} ({what}): expected Ok({}), got Ok({})",
                    common::show(&want),
                    common::show(&bytes)
                ));
            }
            (Expect::Bytes(want), Err(error)) => {
                return Err(format!(
                    "{name} ({what}): expected Ok({}), got the error {:?}: {error}",
                    common::show(&want),
                    error.kind()
                ));
            }
            (Expect::Reset, Err(error)) if error.kind() == ErrorKind::ConnectionReset => {}
            (Expect::Reset, Err(error)) => {
                return Err(format!(
                    "{name} ({what}): expected the error ConnectionReset, got {:?}: {error}",
                    error.kind()
                ));
            }
            (Expect::Reset, Ok(bytes)) => {
                let data = if bytes == GREETING {
                    " (the data before a reset does not make the reply complete)"
                } else {
                    ""
                };
                return Err(format!(
                    "{name} ({what}): expected the error ConnectionReset, got Ok({}){data}",
                    common::show(&bytes)
                ));
            }
        }
    }
    Ok(())
}
