//! The table: what each stack prints for the same few TCP events, and which
//! event each message really is.
//!
//! People reach this crate holding an error message, and theirs is rarely
//! Python's.
//! Every stack words the same events its own way, and several words name the
//! wrong event: Python's `RemoteDisconnected` subclasses
//! `ConnectionResetError` but is raised on a FIN; Node's `socket hang up`
//! carries the code ECONNRESET for a FIN too; nginx's `(110: Connection timed
//! out)` and ioredis's `connect ETIMEDOUT` come from their own timers, not the
//! kernel's; Go's `use of closed network connection` is the program's own
//! close.
//! Each [`Message`] here pins one text to its event, where it met the
//! program, whether a new connection may carry the request again, the lab
//! peer's script that reproduces it, and the lesson that handles it.
//!
//! # How the entries are sourced
//!
//! Each `source` says where the text is: a file and line at a named version
//! (a release tag of the project's repository, a Debian source package, or a
//! JDK's `src.zip`), written `REPOSITORY PATH:LINE at VERSION`.
//! Where no line could be pinned at a named version, it names the file and
//! the function or resource key (the .NET resource files, std's `io::Error`
//! formatting); where the words are the OS's (Python's errno messages,
//! Windows' error texts), the vendor's documentation page.
//! Where `versions` says "run", the text was also printed by that version on
//! Linux, against the lab peer or a refused port.
//! The words of an errno (`Connection reset by peer`) are the C library's or
//! Windows' own, so a stack on another platform prints other words there.
//!
//! # Conventions
//!
//! - A `text` is the most distinctive fragment of the message, not the whole
//!   log line: it starts with literal text, and no entry's text matches
//!   another entry's message.
//!   The holes it may contain are listed on [`Message::text`].
//! - EPIPE (`Broken pipe`) is filed under [`Event::Reset`]: on Linux a send
//!   fails with it only after an RST has arrived, whether the peer sent one
//!   or our own send to a closed peer drew it.
//! - A message that several events print alike gets the most common one, and
//!   a comment names the others.
//! - The lookup prefers the match with the most literal text, so a wrapper
//!   printed around its cause gets an entry only if its text is the shorter
//!   (`fetch failed`); .NET's `An error occurred while sending the request.`
//!   and reqwest's `error sending request for url` get none.
//! - An HTTP client needs a real answer before some scripts can bite
//!   (`drip`, `idle-close`, `idle-reset`, `reset-after:BYTES`): run the lab
//!   peer as a relay in front of an HTTP server (`--upstream`).
//!   `close`, `reset`, `stall` and `refused` work against any client as they
//!   are.

use super::message::{Event, Message, Place, Retry};

/// Known messages of the stacks people use, each pinned to its event.
pub const MESSAGES: &[Message] = &[
    // ---- Python: socket ----
    // Python's socket errors: the class comes from the errno (PEP 3151), the words from the C
    // library.
    Message {
        text: "ConnectionResetError: [Errno 104] Connection reset by peer",
        stack: "Python socket",
        versions: "CPython 3.3+; run on 3.11.7 (Linux)",
        event: Event::Reset,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "reset",
        lesson: "errno",
        source: "https://docs.python.org/3/library/exceptions.html#os-exceptions",
    },
    // The same ECONNRESET as 104 on Linux: only the number differs.
    Message {
        text: "ConnectionResetError: [Errno 54] Connection reset by peer",
        stack: "Python socket",
        versions: "CPython 3.3+ on macOS and FreeBSD",
        event: Event::Reset,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "reset",
        lesson: "errno",
        source: "apple-oss-distributions/xnu bsd/sys/errno.h:171 at xnu-11417.121.6 (ECONNRESET 54); https://docs.python.org/3/library/exceptions.html#os-exceptions",
    },
    Message {
        text: "ConnectionResetError: [WinError 10054] An existing connection was forcibly closed by the remote host",
        stack: "Python socket",
        versions: "CPython 3.3+ on Windows",
        event: Event::Reset,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "reset",
        lesson: "errno",
        source: "https://learn.microsoft.com/en-us/windows/win32/winsock/windows-sockets-error-codes-2 (WSAECONNRESET); https://docs.python.org/3/library/exceptions.html#os-exceptions",
    },
    // A send after the peer's close draws an RST; the send after that fails with EPIPE.
    Message {
        text: "BrokenPipeError: [Errno 32] Broken pipe",
        stack: "Python socket",
        versions: "CPython 3.3+; run on 3.11.7 (Linux)",
        event: Event::Reset,
        place: Place::Send,
        retry: Retry::IfIdempotent,
        script: "close",
        lesson: "exchange",
        source: "https://docs.python.org/3/library/exceptions.html#os-exceptions",
    },
    Message {
        text: "ConnectionRefusedError: [Errno {n}] Connection refused",
        stack: "Python socket",
        versions: "CPython 3.3+; run on 3.11.7 (Linux)",
        event: Event::Refused,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "refused",
        lesson: "retry",
        source: "https://docs.python.org/3/library/exceptions.html#os-exceptions",
    },
    // settimeout ran out; the connection itself may be fine. A connect that times out prints the
    // same.
    Message {
        text: "TimeoutError: timed out",
        stack: "Python socket",
        versions: "CPython 3.10+; run on 3.11.7 (Linux)",
        event: Event::OwnTimeout,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "stall",
        lesson: "timeout",
        source: r#"python/cpython Modules/socketmodule.c (sock_call_ex: PyErr_SetString(PyExc_TimeoutError, "timed out")) at v3.11.7"#,
    },
    // Before 3.10 socket.timeout was its own class; since then it names TimeoutError.
    Message {
        text: "socket.timeout: timed out",
        stack: "Python socket",
        versions: "CPython 3.0 to 3.9",
        event: Event::OwnTimeout,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "stall",
        lesson: "timeout",
        source: "https://docs.python.org/3/library/socket.html#socket.timeout",
    },
    // The class of `TimeoutError: timed out`, another event: an errno means the kernel gave up.
    Message {
        text: "TimeoutError: [Errno 110] Connection timed out",
        stack: "Python socket",
        versions: "CPython 3.3+ on Linux",
        event: Event::KernelTimeout,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "partition",
        lesson: "heartbeat",
        source: "https://docs.python.org/3/library/exceptions.html#os-exceptions",
    },
    Message {
        text: "TimeoutError: [Errno 60] Operation timed out",
        stack: "Python socket",
        versions: "CPython 3.3+ on macOS",
        event: Event::KernelTimeout,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "partition",
        lesson: "heartbeat",
        source: "apple-oss-distributions/xnu bsd/sys/errno.h:179 at xnu-11417.121.6 (ETIMEDOUT 60); https://docs.python.org/3/library/exceptions.html#os-exceptions",
    },
    // PEP 3151 gave EHOSTUNREACH no class of its own. The partition drops packets without an ICMP
    // error, so it ends in a timeout, never in EHOSTUNREACH.
    Message {
        text: "OSError: [Errno 113] No route to host",
        stack: "Python socket",
        versions: "CPython 3.3+ on Linux",
        event: Event::Unreachable,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "exchange",
        source: "https://docs.python.org/3/library/exceptions.html#os-exceptions",
    },
    // ---- Python: http.client and urllib ----
    // A FIN, although the class subclasses ConnectionResetError.
    Message {
        text: "http.client.RemoteDisconnected: Remote end closed connection without response",
        stack: "Python http.client",
        versions: "CPython 3.5+; run on 3.11.7",
        event: Event::ClosedBeforeAnswer,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "close",
        lesson: "except",
        source: "python/cpython Lib/http/client.py:294 at v3.11.7",
    },
    // No lab script closes cleanly in the middle of an answer.
    Message {
        text: "http.client.IncompleteRead: IncompleteRead({n} bytes read, {n} more expected)",
        stack: "Python http.client",
        versions: "CPython 3; read in 3.11.7",
        event: Event::ClosedMidAnswer,
        place: Place::DuringAnswer,
        retry: Retry::IfIdempotent,
        script: "",
        lesson: "exchange",
        source: "python/cpython Lib/http/client.py:1503 at v3.11.7",
    },
    // urllib wraps only connect and send in URLError; errors while reading the answer
    // (RemoteDisconnected, TimeoutError) come out bare (request.py:1352).
    Message {
        text: "<urlopen error [Errno {n}] Connection refused>",
        stack: "Python urllib",
        versions: "CPython 3; run on 3.11.7",
        event: Event::Refused,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "refused",
        lesson: "retry",
        source: "python/cpython Lib/urllib/request.py:1351 and Lib/urllib/error.py:32 at v3.11.7",
    },
    // Loopback answers every SYN, so no lab command makes a connect wait.
    Message {
        text: "<urlopen error timed out>",
        stack: "Python urllib",
        versions: "CPython 3; read in 3.11.7",
        event: Event::OwnTimeout,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "timeout",
        source: "python/cpython Lib/urllib/request.py:1351 at v3.11.7",
    },
    // No timeout was set, so the kernel's SYN retries ran out. Loopback answers every SYN, so no
    // lab command makes a connect wait.
    Message {
        text: "<urlopen error [Errno {n}] Connection timed out>",
        stack: "Python urllib",
        versions: "CPython 3; read in 3.11.7",
        event: Event::KernelTimeout,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "timeout",
        source: "python/cpython Lib/urllib/request.py:1351 at v3.11.7",
    },
    // ---- Python: requests and urllib3 ----
    // requests prints urllib3's errors; the tuple is urllib3's ProtocolError.
    // Most often a pooled connection the server closed while idle; `close` gives it too.
    Message {
        text: "('Connection aborted.', RemoteDisconnected('Remote end closed connection without response'))",
        stack: "Python requests (urllib3)",
        versions: "requests 2.34.2 with urllib3 2.7.0 (run); urllib3 1.26.18 to 2.7.0 (source)",
        event: Event::ClosedBeforeAnswer,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "idle-close",
        lesson: "reuse",
        source: "urllib3/urllib3 src/urllib3/connectionpool.py:841 at 2.2.3; python/cpython Lib/http/client.py:294 at v3.11.7",
    },
    Message {
        text: "('Connection aborted.', ConnectionResetError({n}, 'Connection reset by peer'))",
        stack: "Python requests (urllib3)",
        versions: "requests 2.34.2 with urllib3 2.7.0 (run); urllib3 1.26.18 to 2.7.0 (source)",
        event: Event::Reset,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "reset",
        lesson: "exchange",
        source: "urllib3/urllib3 src/urllib3/connectionpool.py:841 at 2.2.3",
    },
    // requests raises it as ChunkedEncodingError; the relay passes 500 bytes, then resets.
    Message {
        text: "Connection broken: ConnectionResetError({n}, 'Connection reset by peer')",
        stack: "Python requests (urllib3)",
        versions: "requests 2.34.2 with urllib3 2.7.0 (run); urllib3 1.26.18 to 2.7.0 (source)",
        event: Event::Reset,
        place: Place::DuringAnswer,
        retry: Retry::IfIdempotent,
        script: "reset-after:500",
        lesson: "exchange",
        source: "urllib3/urllib3 src/urllib3/response.py:775 at 2.2.3",
    },
    // No lab script closes cleanly in the middle of an answer.
    Message {
        text: "Connection broken: IncompleteRead({n} bytes read, {n} more expected)",
        stack: "Python urllib3",
        versions: "urllib3 1.26.18 to 2.7.0",
        event: Event::ClosedMidAnswer,
        place: Place::DuringAnswer,
        retry: Retry::IfIdempotent,
        script: "",
        lesson: "exchange",
        source: "urllib3/urllib3 src/urllib3/response.py:775 and src/urllib3/exceptions.py:263 at 2.2.3",
    },
    // An empty chunk-size line: the peer closed between chunks. No lab script closes cleanly in
    // the middle of an answer.
    Message {
        text: "Connection broken: InvalidChunkLength(got length b'', 0 bytes read)",
        stack: "Python urllib3",
        versions: "urllib3 1.26.18 to 2.7.0",
        event: Event::ClosedMidAnswer,
        place: Place::DuringAnswer,
        retry: Retry::IfIdempotent,
        script: "",
        lesson: "exchange",
        source: "urllib3/urllib3 src/urllib3/exceptions.py:279 at 2.2.3",
    },
    Message {
        text: "Read timed out. (read timeout={*})",
        stack: "Python urllib3",
        versions: "requests 2.34.2 with urllib3 2.7.0 (run); urllib3 1.26.18 to 2.7.0 (source)",
        event: Event::OwnTimeout,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "stall",
        lesson: "timeout",
        source: "urllib3/urllib3 src/urllib3/connectionpool.py:530 at 2.2.3",
    },
    // Loopback answers every SYN, so no lab command makes a connect wait.
    Message {
        text: "Connection to {host} timed out. (connect timeout={*})",
        stack: "Python urllib3",
        versions: "urllib3 1.26.18 to 2.7.0",
        event: Event::OwnTimeout,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "timeout",
        source: "urllib3/urllib3 src/urllib3/connection.py:210 at 2.2.3",
    },
    Message {
        text: "Failed to establish a new connection: [Errno {n}] Connection refused",
        stack: "Python urllib3",
        versions: "requests 2.34.2 with urllib3 2.7.0 (run); urllib3 1.26.18 to 2.7.0 (source)",
        event: Event::Refused,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "refused",
        lesson: "retry",
        source: "urllib3/urllib3 src/urllib3/connection.py:215 at 2.2.3",
    },
    // No connect timeout was set, so the kernel's SYN retries ran out. Loopback answers every SYN,
    // so no lab command makes a connect wait.
    Message {
        text: "Failed to establish a new connection: [Errno {n}] Connection timed out",
        stack: "Python urllib3",
        versions: "urllib3 1.26.18 to 2.7.0",
        event: Event::KernelTimeout,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "timeout",
        source: "urllib3/urllib3 src/urllib3/connection.py:215 at 2.2.3",
    },
    // ---- Python: httpx ----
    // httpx re-raises httpcore's errors under the same names and words
    // (httpx/_transports/default.py:117 at 0.28.1).
    Message {
        text: "Server disconnected without sending a response.",
        stack: "Python httpx (httpcore)",
        versions: "httpx 0.28.1, httpcore 1.0.7, h11 0.14.0",
        event: Event::ClosedBeforeAnswer,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "close",
        lesson: "exchange",
        source: "encode/httpcore httpcore/_async/http11.py:230 at 1.0.7",
    },
    // No lab script closes cleanly in the middle of an answer.
    Message {
        text: "peer closed connection without sending complete message body (incomplete chunked read)",
        stack: "Python httpx (h11)",
        versions: "httpx 0.28.1, httpcore 1.0.7, h11 0.14.0",
        event: Event::ClosedMidAnswer,
        place: Place::DuringAnswer,
        retry: Retry::IfIdempotent,
        script: "",
        lesson: "exchange",
        source: "python-hyper/h11 h11/_readers.py:205 at v0.14.0",
    },
    // No lab script closes cleanly in the middle of an answer.
    Message {
        text: "peer closed connection without sending complete message body (received {n} bytes, expected {n})",
        stack: "Python httpx (h11)",
        versions: "httpx 0.28.1, httpcore 1.0.7, h11 0.14.0",
        event: Event::ClosedMidAnswer,
        place: Place::DuringAnswer,
        retry: Retry::IfIdempotent,
        script: "",
        lesson: "exchange",
        source: "python-hyper/h11 h11/_readers.py:138 at v0.14.0",
    },
    // The async backends raise it with no words at all: "httpx.ReadTimeout" alone.
    Message {
        text: "httpx.ReadTimeout: timed out",
        stack: "Python httpx (httpcore)",
        versions: "httpx 0.28.1, httpcore 1.0.7, h11 0.14.0",
        event: Event::OwnTimeout,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "stall",
        lesson: "timeout",
        source: "encode/httpcore httpcore/_backends/sync.py:125 at 1.0.7",
    },
    Message {
        text: "httpx.ReadError: [Errno {n}] Connection reset by peer",
        stack: "Python httpx (httpcore)",
        versions: "httpx 0.28.1, httpcore 1.0.7, h11 0.14.0",
        event: Event::Reset,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "reset",
        lesson: "exchange",
        source: "encode/httpcore httpcore/_backends/sync.py:125 at 1.0.7",
    },
    Message {
        text: "httpx.ConnectError: [Errno {n}] Connection refused",
        stack: "Python httpx (httpcore)",
        versions: "httpx 0.28.1, httpcore 1.0.7, h11 0.14.0",
        event: Event::Refused,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "refused",
        lesson: "retry",
        source: "encode/httpcore httpcore/_backends/sync.py:204 at 1.0.7",
    },
    // Loopback answers every SYN, so no lab command makes a connect wait.
    Message {
        text: "httpx.ConnectTimeout: timed out",
        stack: "Python httpx (httpcore)",
        versions: "httpx 0.28.1, httpcore 1.0.7, h11 0.14.0",
        event: Event::OwnTimeout,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "timeout",
        source: "encode/httpcore httpcore/_backends/sync.py:203 at 1.0.7",
    },
    // ---- Python: aiohttp ----
    // aiohttp raises it for a FIN; an RST comes as ClientOSError (client_proto.py,
    // connection_lost).
    Message {
        text: "ServerDisconnectedError: Server disconnected",
        stack: "Python aiohttp",
        versions: "aiohttp 3.9.5 to 3.12.15",
        event: Event::ClosedBeforeAnswer,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "idle-close",
        lesson: "reuse",
        source: "aio-libs/aiohttp aiohttp/client_exceptions.py:258 at v3.10.11",
    },
    Message {
        text: "ClientOSError: [Errno {n}] Connection reset by peer",
        stack: "Python aiohttp",
        versions: "aiohttp 3.9.5 to 3.12.15",
        event: Event::Reset,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "reset",
        lesson: "exchange",
        source: "aio-libs/aiohttp aiohttp/client_exceptions.py:168 at v3.10.11",
    },
    // asyncio drops the errno's words, so a refusal and an unreachable host read alike; refusal is
    // the usual one.
    Message {
        text: "Cannot connect to host {addr} ssl:{*} [Connect call failed {*}]",
        stack: "Python aiohttp",
        versions: "aiohttp 3.9.5 to 3.12.15",
        event: Event::Refused,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "refused",
        lesson: "retry",
        source: "aio-libs/aiohttp aiohttp/client_exceptions.py:202 at v3.10.11; python/cpython Lib/asyncio/selector_events.py:674 at v3.11.7",
    },
    // After an RST the same text goes on with the OSError's repr. No lab script closes cleanly in
    // the middle of an answer.
    Message {
        text: "ClientPayloadError: Response payload is not completed",
        stack: "Python aiohttp",
        versions: "aiohttp 3.9.5 to 3.12.15",
        event: Event::ClosedMidAnswer,
        place: Place::DuringAnswer,
        retry: Retry::IfIdempotent,
        script: "",
        lesson: "exchange",
        source: "aio-libs/aiohttp aiohttp/client_proto.py:96 at v3.10.11",
    },
    // ServerTimeoutError before 3.10, SocketTimeoutError since: the text starts after the class.
    Message {
        text: "Timeout on reading data from socket",
        stack: "Python aiohttp",
        versions: "aiohttp 3.9.5 to 3.12.15",
        event: Event::OwnTimeout,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "stall",
        lesson: "timeout",
        source: "aio-libs/aiohttp aiohttp/client_proto.py:234 at v3.10.11",
    },
    // Loopback answers every SYN, so no lab command makes a connect wait.
    Message {
        text: "Connection timeout to host {path}",
        stack: "Python aiohttp",
        versions: "aiohttp 3.9.5 to 3.12.15",
        event: Event::OwnTimeout,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "timeout",
        source: "aio-libs/aiohttp aiohttp/client.py:668 at v3.10.11",
    },
    // ---- Python: redis-py ----
    // Only while still sending: with a request body larger than the socket buffers.
    Message {
        text: "Error {n} while writing to socket. Connection reset by peer.",
        stack: "Python redis-py",
        versions: "redis-py 4.6.0 to 6.0.0",
        event: Event::Reset,
        place: Place::Send,
        retry: Retry::IfIdempotent,
        script: "reset",
        lesson: "exchange",
        source: "redis/redis-py redis/connection.py:545 at v5.2.1",
    },
    // A large write (a pipeline) to a server that had closed: its first part drew the RST.
    Message {
        text: "Error {n} while writing to socket. Broken pipe.",
        stack: "Python redis-py",
        versions: "redis-py 4.6.0 to 6.0.0",
        event: Event::Reset,
        place: Place::Send,
        retry: Retry::IfIdempotent,
        script: "close",
        lesson: "exchange",
        source: "redis/redis-py redis/connection.py:545 at v5.2.1",
    },
    Message {
        text: "Connection closed by server.",
        stack: "Python redis-py",
        versions: "redis-py 4.6.0 to 6.0.0",
        event: Event::ClosedBeforeAnswer,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "idle-close",
        lesson: "reuse",
        source: "redis/redis-py redis/_parsers/socket.py:23 at v5.2.1",
    },
    Message {
        text: "Error while reading from socket: ({n}, 'Connection reset by peer')",
        stack: "Python redis-py",
        versions: "redis-py 4.6.0 to 6.0.0",
        event: Event::Reset,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "reset",
        lesson: "exchange",
        source: "redis/redis-py redis/_parsers/socket.py:88 at v5.2.1",
    },
    Message {
        text: "Timeout reading from socket",
        stack: "Python redis-py",
        versions: "redis-py 4.6.0 to 6.0.0",
        event: Event::OwnTimeout,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "stall",
        lesson: "timeout",
        source: "redis/redis-py redis/_parsers/socket.py:78 at v5.2.1",
    },
    Message {
        text: "Error {n} connecting to {addr}. Connection refused.",
        stack: "Python redis-py",
        versions: "redis-py 4.6.0 to 6.0.0",
        event: Event::Refused,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "refused",
        lesson: "retry",
        source: "redis/redis-py redis/utils.py:153 at v5.2.1",
    },
    // Loopback answers every SYN, so no lab command makes a connect wait.
    Message {
        text: "Timeout connecting to server",
        stack: "Python redis-py",
        versions: "redis-py 4.6.0 to 6.0.0",
        event: Event::OwnTimeout,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "timeout",
        source: "redis/redis-py redis/connection.py:361 at v5.2.1",
    },
    // ---- curl ----
    // curl prints `curl: (CODE) ` before these; libcurl's bindings (PHP's `cURL error 56: `, ...)
    // print the same words.
    Message {
        text: "Failed to connect to {host} port {port}: Connection refused",
        stack: "curl",
        versions: "curl 7.68.0 to 7.79 (source)",
        event: Event::Refused,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "refused",
        lesson: "retry",
        source: "curl/curl lib/connect.c:978 at curl-7_68_0",
    },
    // The OS's words: the kernel's SYN retries ran out before curl's connect timeout. Loopback
    // answers every SYN, so no lab command makes a connect wait.
    Message {
        text: "Failed to connect to {host} port {port}: Connection timed out",
        stack: "curl",
        versions: "curl 7.68.0 to 7.79 (source)",
        event: Event::KernelTimeout,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "timeout",
        source: "curl/curl lib/connect.c:978 at curl-7_68_0",
    },
    // The partition drops packets without an ICMP error, so it ends in a timeout, never in
    // EHOSTUNREACH.
    Message {
        text: "Failed to connect to {host} port {port}: No route to host",
        stack: "curl",
        versions: "curl 7.68.0 to 7.79 (source)",
        event: Event::Unreachable,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "exchange",
        source: "curl/curl lib/connect.c:978 at curl-7_68_0",
    },
    Message {
        text: "Failed to connect to {host} port {port} after {n} ms: Connection refused",
        stack: "curl",
        versions: "curl 7.80.0 to 7.85.0 (source)",
        event: Event::Refused,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "refused",
        lesson: "retry",
        source: "curl/curl lib/connect.c:1036 at curl-7_80_0",
    },
    // Since 7.86 curl prints its own code's words, not the OS's: an unreachable host reads the
    // same, and only `-v` tells them apart. A refusal is the common case.
    Message {
        text: "Failed to connect to {host} port {port} after {n} ms: Couldn't connect to server",
        stack: "curl",
        versions: "curl 7.86.0 to 8.8.0 (source); run on 7.88.1",
        event: Event::Refused,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "refused",
        lesson: "retry",
        source: "curl/curl lib/connect.c:708 and lib/strerror.c:83 at curl-7_88_0",
    },
    Message {
        text: "Failed to connect to {host} port {port} after {n} ms: Could not connect to server",
        stack: "curl",
        versions: "curl 8.9.0 to 8.20.0 (source)",
        event: Event::Refused,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "refused",
        lesson: "retry",
        source: "curl/curl lib/connect.c:773 and lib/strerror.c:83 at curl-8_9_0",
    },
    Message {
        text: "Failed to connect to {addr} after {n} ms: Could not connect to server",
        stack: "curl",
        versions: "curl 8.21.0 (source)",
        event: Event::Refused,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "refused",
        lesson: "retry",
        source: "curl/curl lib/cf-ip-happy.c:738 at curl-8_21_0",
    },
    // curl's own --connect-timeout (code 28). Loopback answers every SYN, so no lab command makes
    // a connect wait.
    Message {
        text: "Connection timed out after {n} milliseconds",
        stack: "curl",
        versions: "curl 7.68.0 to 8.21.0 (source)",
        event: Event::OwnTimeout,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "timeout",
        source: "curl/curl lib/multi.c:1625 at curl-7_88_0",
    },
    Message {
        text: "Operation timed out after {n} milliseconds with {n} bytes received",
        stack: "curl",
        versions: "curl 7.68.0 to 8.21.0 (source); run on 7.88.1",
        event: Event::OwnTimeout,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "stall",
        lesson: "timeout",
        source: "curl/curl lib/multi.c:1638 at curl-7_88_0",
    },
    // The length was known, so the answer had begun; `drip` as a relay in front of an HTTP server.
    Message {
        text: "Operation timed out after {n} milliseconds with {n} out of {n} bytes received",
        stack: "curl",
        versions: "curl 7.68.0 to 8.21.0 (source)",
        event: Event::OwnTimeout,
        place: Place::DuringAnswer,
        retry: Retry::IfIdempotent,
        script: "drip",
        lesson: "timeout",
        source: "curl/curl lib/multi.c:1631 at curl-7_88_0",
    },
    // Code 56. After part of the answer (`reset-after:BYTES`) the words are the same.
    Message {
        text: "Recv failure: Connection reset by peer",
        stack: "curl",
        versions: "curl 7.68.0 to 8.21.0 (source); run on 7.88.1",
        event: Event::Reset,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "reset",
        lesson: "exchange",
        source: "curl/curl lib/cf-socket.c:1374 at curl-7_88_0",
    },
    // Code 55. Only while still sending: with a request body larger than the socket buffers.
    Message {
        text: "Send failure: Connection reset by peer",
        stack: "curl",
        versions: "curl 7.68.0 to 8.21.0 (source)",
        event: Event::Reset,
        place: Place::Send,
        retry: Retry::IfIdempotent,
        script: "reset",
        lesson: "exchange",
        source: "curl/curl lib/cf-socket.c:1318 at curl-7_88_0",
    },
    // Code 55: the peer was already gone while curl was still sending (a large upload).
    Message {
        text: "Send failure: Broken pipe",
        stack: "curl",
        versions: "curl 7.68.0 to 8.21.0 (source)",
        event: Event::Reset,
        place: Place::Send,
        retry: Retry::IfIdempotent,
        script: "close",
        lesson: "exchange",
        source: "curl/curl lib/cf-socket.c:1318 at curl-7_88_0",
    },
    // Code 52: a FIN before any byte of the answer.
    Message {
        text: "Empty reply from server",
        stack: "curl",
        versions: "curl 7.68.0 to 8.21.0 (source); run on 7.88.1",
        event: Event::ClosedBeforeAnswer,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "close",
        lesson: "exchange",
        source: "curl/curl lib/http.c:1594 at curl-7_88_0",
    },
    // Code 18: a FIN before the promised length. No lab script closes cleanly in the middle of an
    // answer.
    Message {
        text: "transfer closed with {n} bytes remaining to read",
        stack: "curl",
        versions: "curl 7.68.0 to 8.21.0 (source)",
        event: Event::ClosedMidAnswer,
        place: Place::DuringAnswer,
        retry: Retry::IfIdempotent,
        script: "",
        lesson: "exchange",
        source: "curl/curl lib/transfer.c:1201 at curl-7_88_0",
    },
    // ---- Go: net and net/http ----
    // Go's net.OpError prints `OP NET [SRC->]DST: ERR` (src/net/net.go:492 at go1.19.8); the errno
    // words come from the syscall package's table (src/syscall/zerrors_linux_amd64.go at
    // go1.19.8).
    Message {
        text: "read tcp {addr}->{addr}: read: connection reset by peer",
        stack: "Go net",
        versions: "Go 1.19.8 (Debian golang-1.19-src)",
        event: Event::Reset,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "reset",
        lesson: "exchange",
        source: "golang/go src/net/net.go:492 and src/syscall/zerrors_linux_amd64.go:1483 at go1.19.8",
    },
    // Only while still sending: with a request body larger than the socket buffers.
    Message {
        text: "write tcp {addr}->{addr}: write: connection reset by peer",
        stack: "Go net",
        versions: "Go 1.19.8 (Debian golang-1.19-src)",
        event: Event::Reset,
        place: Place::Send,
        retry: Retry::IfIdempotent,
        script: "reset",
        lesson: "exchange",
        source: "golang/go src/net/net.go:492 and src/syscall/zerrors_linux_amd64.go:1483 at go1.19.8",
    },
    Message {
        text: "write tcp {addr}->{addr}: write: broken pipe",
        stack: "Go net",
        versions: "Go 1.19.8 (Debian golang-1.19-src)",
        event: Event::Reset,
        place: Place::Send,
        retry: Retry::IfIdempotent,
        script: "close",
        lesson: "exchange",
        source: "golang/go src/net/net.go:492 and src/syscall/zerrors_linux_amd64.go:1413 at go1.19.8",
    },
    Message {
        text: "wsarecv: An existing connection was forcibly closed by the remote host.",
        stack: "Go net",
        versions: "Go 1.19.8 on Windows (source)",
        event: Event::Reset,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "reset",
        lesson: "errno",
        source: "golang/go src/net/fd_windows.go:17 at go1.19.8; https://learn.microsoft.com/en-us/windows/win32/winsock/windows-sockets-error-codes-2 (WSAECONNRESET)",
    },
    Message {
        text: "dial tcp {addr}: connect: connection refused",
        stack: "Go net",
        versions: "Go 1.19.8 (Debian golang-1.19-src)",
        event: Event::Refused,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "refused",
        lesson: "retry",
        source: "golang/go src/net/fd_unix.go:165 and src/syscall/zerrors_linux_amd64.go:1490 at go1.19.8",
    },
    // The partition drops packets without an ICMP error, so it ends in a timeout, never in
    // EHOSTUNREACH.
    Message {
        text: "dial tcp {addr}: connect: no route to host",
        stack: "Go net",
        versions: "Go 1.19.8 (Debian golang-1.19-src)",
        event: Event::Unreachable,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "exchange",
        source: "golang/go src/net/fd_unix.go:165 and src/syscall/zerrors_linux_amd64.go:1492 at go1.19.8",
    },
    // No dial timeout was set, so the kernel's SYN retries ran out. Loopback answers every SYN, so
    // no lab command makes a connect wait.
    Message {
        text: "dial tcp {addr}: connect: connection timed out",
        stack: "Go net",
        versions: "Go 1.19.8 (Debian golang-1.19-src)",
        event: Event::KernelTimeout,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "timeout",
        source: "golang/go src/net/fd_unix.go:165 and src/syscall/zerrors_linux_amd64.go:1489 at go1.19.8",
    },
    // Dialer.Timeout ran out: Go's timer, whatever `i/o` suggests. Loopback answers every SYN, so
    // no lab command makes a connect wait.
    Message {
        text: "dial tcp {addr}: i/o timeout",
        stack: "Go net",
        versions: "Go 1.19.8 (Debian golang-1.19-src)",
        event: Event::OwnTimeout,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "timeout",
        source: "golang/go src/net/net.go:600 at go1.19.8",
    },
    // A read deadline of the program's own.
    Message {
        text: "read tcp {addr}->{addr}: i/o timeout",
        stack: "Go net",
        versions: "Go 1.19.8 (Debian golang-1.19-src)",
        event: Event::OwnTimeout,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "stall",
        lesson: "timeout",
        source: "golang/go src/internal/poll/fd.go:60 at go1.19.8",
    },
    Message {
        text: "read tcp {addr}->{addr}: read: connection timed out",
        stack: "Go net",
        versions: "Go 1.19.8 (Debian golang-1.19-src)",
        event: Event::KernelTimeout,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "partition",
        lesson: "heartbeat",
        source: "golang/go src/syscall/zerrors_linux_amd64.go:1489 at go1.19.8",
    },
    // The program closed the net.Conn itself (often from another goroutine); no peer behaviour
    // causes it.
    Message {
        text: "use of closed network connection",
        stack: "Go net",
        versions: "Go 1.19.8 (Debian golang-1.19-src)",
        event: Event::LocalClose,
        place: Place::Receive,
        retry: Retry::No,
        script: "",
        lesson: "failure",
        source: "golang/go src/internal/poll/fd.go:24 at go1.19.8",
    },
    // The transport retries idempotent requests itself; the caller sees it for the others.
    Message {
        text: "http: server closed idle connection",
        stack: "Go net/http",
        versions: "Go 1.19.8 (Debian golang-1.19-src)",
        event: Event::ClosedBeforeAnswer,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "idle-close",
        lesson: "reuse",
        source: "golang/go src/net/http/transport.go:873 at go1.19.8",
    },
    // A bare EOF: the first read of the answer got the FIN (transportReadFromServerError
    // unwrapped).
    Message {
        text: r#"Get "{path}": EOF"#,
        stack: "Go net/http",
        versions: "Go 1.19.8 (Debian golang-1.19-src)",
        event: Event::ClosedBeforeAnswer,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "close",
        lesson: "exchange",
        source: "golang/go src/net/url/url.go:30, src/net/http/transport.go:613 and src/io/io.go:44 at go1.19.8",
    },
    // As above; a POST is not retried by the transport, so this is the one people meet.
    Message {
        text: r#"Post "{path}": EOF"#,
        stack: "Go net/http",
        versions: "Go 1.19.8 (Debian golang-1.19-src)",
        event: Event::ClosedBeforeAnswer,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "close",
        lesson: "exchange",
        source: "golang/go src/net/url/url.go:30, src/net/http/transport.go:613 and src/io/io.go:44 at go1.19.8",
    },
    // The body ended before its Content-Length. No lab script closes cleanly in the middle of an
    // answer.
    Message {
        text: "unexpected EOF",
        stack: "Go net/http",
        versions: "Go 1.19.8 (Debian golang-1.19-src)",
        event: Event::ClosedMidAnswer,
        place: Place::DuringAnswer,
        retry: Retry::IfIdempotent,
        script: "",
        lesson: "exchange",
        source: "golang/go src/io/io.go:48 and src/net/http/transfer.go:859 at go1.19.8",
    },
    // Appended to `net/http: request canceled` or `context deadline exceeded`; the fragment is the
    // same.
    Message {
        text: "(Client.Timeout exceeded while awaiting headers)",
        stack: "Go net/http",
        versions: "Go 1.19.8 (Debian golang-1.19-src)",
        event: Event::OwnTimeout,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "stall",
        lesson: "timeout",
        source: "golang/go src/net/http/client.go:720 at go1.19.8",
    },
    // `drip` as a relay in front of an HTTP server, with Client.Timeout shorter than the answer
    // takes.
    Message {
        text: "(Client.Timeout or context cancellation while reading body)",
        stack: "Go net/http",
        versions: "Go 1.19.8 (Debian golang-1.19-src)",
        event: Event::OwnTimeout,
        place: Place::DuringAnswer,
        retry: Retry::IfIdempotent,
        script: "drip",
        lesson: "timeout",
        source: "golang/go src/net/http/client.go:963 at go1.19.8",
    },
    // Transport.ResponseHeaderTimeout.
    Message {
        text: "net/http: timeout awaiting response headers",
        stack: "Go net/http",
        versions: "Go 1.19.8 (Debian golang-1.19-src)",
        event: Event::OwnTimeout,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "stall",
        lesson: "timeout",
        source: "golang/go src/net/http/transport.go:2513 at go1.19.8",
    },
    // ---- Node: net and http ----
    // Node's socket errors print `SYSCALL CODE [ADDR:PORT]` (lib/internal/errors.js:734 and :777
    // at v20.20.2).
    Message {
        text: "read ECONNRESET",
        stack: "Node net",
        versions: "Node 20.20.2 (run; lib/ read from the binary)",
        event: Event::Reset,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "reset",
        lesson: "exchange",
        source: "nodejs/node lib/internal/stream_base_commons.js:218 and lib/internal/errors.js:734 at v20.20.2",
    },
    // Only while still sending: with a request body larger than the socket buffers.
    Message {
        text: "write ECONNRESET",
        stack: "Node net",
        versions: "Node 20.20.2 (lib/ read from the binary)",
        event: Event::Reset,
        place: Place::Send,
        retry: Retry::IfIdempotent,
        script: "reset",
        lesson: "exchange",
        source: "nodejs/node lib/internal/stream_base_commons.js:95 and lib/internal/errors.js:734 at v20.20.2",
    },
    // Not seen in the lab: on `close` Node ends its side quietly, on `reset` it reports read
    // ECONNRESET first.
    Message {
        text: "write EPIPE",
        stack: "Node net",
        versions: "Node 20.20.2 (lib/ read from the binary)",
        event: Event::Reset,
        place: Place::Send,
        retry: Retry::IfIdempotent,
        script: "",
        lesson: "exchange",
        source: "nodejs/node lib/internal/stream_base_commons.js:95 and lib/internal/errors.js:734 at v20.20.2",
    },
    Message {
        text: "connect ECONNREFUSED {addr}",
        stack: "Node net",
        versions: "Node 20.20.2 (run; lib/ read from the binary)",
        event: Event::Refused,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "refused",
        lesson: "retry",
        source: "nodejs/node lib/net.js:1611 and lib/internal/errors.js:777 at v20.20.2",
    },
    // The partition drops packets without an ICMP error, so it ends in a timeout, never in
    // EHOSTUNREACH.
    Message {
        text: "connect EHOSTUNREACH {addr}",
        stack: "Node net",
        versions: "Node 20.20.2 (lib/ read from the binary)",
        event: Event::Unreachable,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "exchange",
        source: "nodejs/node lib/net.js:1611 and lib/internal/errors.js:777 at v20.20.2",
    },
    // net has no connect timeout of its own: the kernel's SYN retries ran out. Loopback answers
    // every SYN, so no lab command makes a connect wait.
    Message {
        text: "connect ETIMEDOUT {addr}",
        stack: "Node net",
        versions: "Node 20.20.2 (lib/ read from the binary)",
        event: Event::KernelTimeout,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "timeout",
        source: "nodejs/node lib/net.js:1611 and lib/internal/errors.js:777 at v20.20.2",
    },
    Message {
        text: "read ETIMEDOUT",
        stack: "Node net",
        versions: "Node 20.20.2 (lib/ read from the binary)",
        event: Event::KernelTimeout,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "partition",
        lesson: "heartbeat",
        source: "nodejs/node lib/internal/stream_base_commons.js:218 and lib/internal/errors.js:734 at v20.20.2",
    },
    // Its code is ECONNRESET, but it is a FIN before the answer (an RST gives `read ECONNRESET`).
    // A req.destroy() from the program's own timeout handler prints the same (checked with
    // `stall`).
    Message {
        text: "socket hang up",
        stack: "Node http",
        versions: "Node 20.20.2 (run; lib/ read from the binary)",
        event: Event::ClosedBeforeAnswer,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "close",
        lesson: "exchange",
        source: "nodejs/node lib/_http_client.js:528 at v20.20.2",
    },
    // The socket closed before the response was complete, by FIN or RST alike; only the relay's
    // mid-answer reset reproduces it here.
    Message {
        text: "Error: aborted",
        stack: "Node http",
        versions: "Node 20.20.2 (run; lib/ read from the binary)",
        event: Event::ClosedMidAnswer,
        place: Place::DuringAnswer,
        retry: Retry::IfIdempotent,
        script: "reset-after:500",
        lesson: "exchange",
        source: "nodejs/node lib/_http_client.js:464 at v20.20.2",
    },
    // ---- Node: fetch (undici) ----
    // Node's fetch is undici: the message is `TypeError: fetch failed`, the event is in its
    // `cause`.
    // `TypeError: fetch failed` wraps every failure before the response; its `[cause]:` line says
    // which. The text is kept short so that any cause in the same paste is the more specific
    // match.
    Message {
        text: "fetch failed",
        stack: "Node fetch (undici)",
        versions: "undici 5.28.4 to 8.10.0 (source); run on Node 20.20.2",
        event: Event::Unknown,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "",
        lesson: "failure",
        source: "nodejs/undici lib/web/fetch/index.js:230 at v6.21.0",
    },
    // SocketError, code UND_ERR_SOCKET, raised on the socket's `end`: a FIN. Most often a
    // kept-alive connection the server closed while idle; `close` gives it on a fresh one. An RST
    // gives `read ECONNRESET`.
    Message {
        text: "SocketError: other side closed",
        stack: "Node fetch (undici)",
        versions: "undici 5.28.4 to 8.10.0 (source); run on Node 20.20.2",
        event: Event::ClosedBeforeAnswer,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "idle-close",
        lesson: "reuse",
        source: "nodejs/undici lib/dispatcher/client-h1.js:701 at v6.21.0",
    },
    // After the response began, a FIN: `terminated`, with `other side closed` as its cause. Node
    // also prints this when an RST came right behind the last data (libuv reads the hang-up as
    // the end of the stream: `uv__stream_io` in libuv's `src/unix/stream.c`), which the relay's
    // `reset-after` shows now and then.
    Message {
        text: "TypeError: terminated{**}SocketError: other side closed",
        stack: "Node fetch (undici)",
        versions: "undici 5.28.4 to 8.10.0 (source); run on Node 20.20.2",
        event: Event::ClosedMidAnswer,
        place: Place::DuringAnswer,
        retry: Retry::IfIdempotent,
        script: "reset-after:500",
        lesson: "exchange",
        source: "nodejs/undici lib/web/fetch/index.js:2046 (terminated) and lib/dispatcher/client-h1.js:701 (other side closed) at v6.21.0",
    },
    // The body stream failed after the response began; its cause says how (`closed` after the
    // relay's reset).
    Message {
        text: "TypeError: terminated",
        stack: "Node fetch (undici)",
        versions: "undici 5.28.4 to 8.10.0 (source); run on Node 20.20.2",
        event: Event::Unknown,
        place: Place::DuringAnswer,
        retry: Retry::IfIdempotent,
        script: "reset-after:500",
        lesson: "failure",
        source: "nodejs/undici lib/web/fetch/index.js:2046 at v6.21.0",
    },
    Message {
        text: "Headers Timeout Error",
        stack: "Node fetch (undici)",
        versions: "undici 5.28.4 to 8.10.0 (source)",
        event: Event::OwnTimeout,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "stall",
        lesson: "timeout",
        source: "nodejs/undici lib/core/errors.js:24 at v6.21.0",
    },
    // Needs a server that sends its headers, then goes quiet in the body: no lab script does.
    Message {
        text: "Body Timeout Error",
        stack: "Node fetch (undici)",
        versions: "undici 5.28.4 to 8.10.0 (source)",
        event: Event::OwnTimeout,
        place: Place::DuringAnswer,
        retry: Retry::IfIdempotent,
        script: "",
        lesson: "timeout",
        source: "nodejs/undici lib/core/errors.js:42 at v6.21.0",
    },
    // Loopback answers every SYN, so no lab command makes a connect wait.
    Message {
        text: "Connect Timeout Error",
        stack: "Node fetch (undici)",
        versions: "undici 5.28.4 to 8.10.0 (source)",
        event: Event::OwnTimeout,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "timeout",
        source: "nodejs/undici lib/core/connect.js:228 at v6.21.0",
    },
    // AbortSignal.timeout()'s TimeoutError, the program's own timer.
    Message {
        text: "The operation was aborted due to timeout",
        stack: "Node fetch (undici)",
        versions: "Node 20.20.2 (run; lib/ read from the binary)",
        event: Event::OwnTimeout,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "stall",
        lesson: "timeout",
        source: "nodejs/node lib/internal/abort_controller.js:130 at v20.20.2",
    },
    // ---- Node: ioredis ----
    // ioredis's own connectTimeout (10 s by default) builds this error to look like the kernel's
    // ETIMEDOUT. Loopback answers every SYN, so no lab command makes a connect wait.
    Message {
        text: "[ioredis] Unhandled error event: Error: connect ETIMEDOUT",
        stack: "Node ioredis",
        versions: "ioredis 5.4.1",
        event: Event::OwnTimeout,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "timeout",
        source: "redis/ioredis lib/Redis.ts:258 at v5.4.1",
    },
    // A command sent after the client ended: after quit()/disconnect(), or once retryStrategy gave
    // up.
    Message {
        text: "Connection is closed.",
        stack: "Node ioredis",
        versions: "ioredis 5.4.1",
        event: Event::LocalClose,
        place: Place::Send,
        retry: Retry::No,
        script: "",
        lesson: "failure",
        source: "redis/ioredis lib/utils/index.ts:312 and lib/Redis.ts:428 at v5.4.1",
    },
    // ---- Java: java.net and HttpURLConnection ----
    // NioSocketImpl (JDK 13+); sources from Debian's openjdk-17-source and Temurin's src.zip.
    // On a read. On a write the OS's words come through: `Connection reset by peer`, which this
    // text also matches.
    Message {
        text: "java.net.SocketException: Connection reset",
        stack: "Java java.net",
        versions: "OpenJDK 17.0.21.1 (source, run) and 25.0.3 (source)",
        event: Event::Reset,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "reset",
        lesson: "exchange",
        source: "openjdk/jdk17u src/java.base/share/classes/sun/nio/ch/NioSocketImpl.java:328 at 17.0.21.1 (Debian source); openjdk/jdk25u src/java.base/share/classes/sun/nio/ch/NioSocketImpl.java:316 at 25.0.3 (Temurin src.zip)",
    },
    // Before JDK 13 the text went on with ` (Write failed)`.
    Message {
        text: "java.net.SocketException: Broken pipe",
        stack: "Java java.net",
        versions: "OpenJDK 17.0.21.1 (source, run) and 25.0.3 (source)",
        event: Event::Reset,
        place: Place::Send,
        retry: Retry::IfIdempotent,
        script: "close",
        lesson: "exchange",
        source: "openjdk/jdk17u src/java.base/share/classes/sun/nio/ch/NioSocketImpl.java:425 at 17.0.21.1 (Debian source); openjdk/jdk25u src/java.base/share/classes/sun/nio/ch/NioSocketImpl.java:428 at 25.0.3 (Temurin src.zip)",
    },
    // The words are the OS's, passed through from the native connect.
    Message {
        text: "java.net.ConnectException: Connection refused",
        stack: "Java java.net",
        versions: "OpenJDK 17.0.21.1 (source, run)",
        event: Event::Refused,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "refused",
        lesson: "retry",
        source: "openjdk/jdk17u src/java.base/share/classes/sun/nio/ch/NioSocketImpl.java:627 at 17.0.21.1 (Debian source)",
    },
    // connect() without a timeout: the kernel's SYN retries ran out. Loopback answers every SYN,
    // so no lab command makes a connect wait.
    Message {
        text: "java.net.ConnectException: Connection timed out",
        stack: "Java java.net",
        versions: "OpenJDK 17.0.21.1 (source)",
        event: Event::KernelTimeout,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "timeout",
        source: "openjdk/jdk17u src/java.base/share/classes/sun/nio/ch/NioSocketImpl.java:627 at 17.0.21.1 (Debian source)",
    },
    // The partition drops packets without an ICMP error, so it ends in a timeout, never in
    // EHOSTUNREACH.
    Message {
        text: "java.net.NoRouteToHostException: No route to host",
        stack: "Java java.net",
        versions: "OpenJDK 17 (documentation)",
        event: Event::Unreachable,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "exchange",
        source: "https://docs.oracle.com/en/java/javase/17/docs/api/java.base/java/net/NoRouteToHostException.html",
    },
    Message {
        text: "java.net.SocketTimeoutException: Read timed out",
        stack: "Java java.net",
        versions: "OpenJDK 17.0.21.1 (source, run) and 25.0.3 (source)",
        event: Event::OwnTimeout,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "stall",
        lesson: "timeout",
        source: "openjdk/jdk17u src/java.base/share/classes/sun/nio/ch/NioSocketImpl.java:288 at 17.0.21.1 (Debian source); openjdk/jdk25u src/java.base/share/classes/sun/nio/ch/NioSocketImpl.java:277 at 25.0.3 (Temurin src.zip)",
    },
    // connect(addr, timeout) ran out; before JDK 13 it was spelled `connect timed out`. Loopback
    // answers every SYN, so no lab command makes a connect wait.
    Message {
        text: "java.net.SocketTimeoutException: Connect timed out",
        stack: "Java java.net",
        versions: "OpenJDK 17.0.21.1 and 25.0.3 (source)",
        event: Event::OwnTimeout,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "timeout",
        source: "openjdk/jdk17u src/java.base/share/classes/sun/nio/ch/NioSocketImpl.java:551 at 17.0.21.1 (Debian source); openjdk/jdk25u src/java.base/share/classes/sun/nio/ch/NioSocketImpl.java:547 at 25.0.3 (Temurin src.zip)",
    },
    // A stream used after the program closed its own socket.
    Message {
        text: "java.net.SocketException: Socket closed",
        stack: "Java java.net",
        versions: "OpenJDK 17.0.21.1 (source, run) and 25.0.3 (source)",
        event: Event::LocalClose,
        place: Place::Receive,
        retry: Retry::No,
        script: "",
        lesson: "failure",
        source: "openjdk/jdk17u src/java.base/share/classes/sun/nio/ch/NioSocketImpl.java:154 at 17.0.21.1 (Debian source); openjdk/jdk25u src/java.base/share/classes/sun/nio/ch/NioSocketImpl.java:151 at 25.0.3 (Temurin src.zip)",
    },
    Message {
        text: "java.net.SocketException: Socket is closed",
        stack: "Java java.net",
        versions: "OpenJDK 17.0.21.1 (source, run) and 25.0.3 (source)",
        event: Event::LocalClose,
        place: Place::Receive,
        retry: Retry::No,
        script: "",
        lesson: "failure",
        source: "openjdk/jdk17u src/java.base/share/classes/java/net/Socket.java:927 at 17.0.21.1 (Debian source); openjdk/jdk25u src/java.base/share/classes/java/net/Socket.java:928 at 25.0.3 (Temurin src.zip)",
    },
    Message {
        text: "java.net.SocketException: Unexpected end of file from server",
        stack: "Java HttpURLConnection",
        versions: "OpenJDK 17.0.21.1 (source, run) and 25.0.3 (source)",
        event: Event::ClosedBeforeAnswer,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "close",
        lesson: "exchange",
        source: "openjdk/jdk17u src/java.base/share/classes/sun/net/www/http/HttpClient.java:962 at 17.0.21.1 (Debian source); openjdk/jdk25u src/java.base/share/classes/sun/net/www/http/HttpClient.java:923 at 25.0.3 (Temurin src.zip)",
    },
    // ---- Java: java.net.http ----
    // The same words after an RST (checked with `reset`): the parser only knows it got nothing,
    // so the event is the cause's, printed under it (`Caused by: ...`).
    Message {
        text: "HTTP/1.1 header parser received no bytes",
        stack: "Java java.net.http",
        versions: "OpenJDK 17.0.21.1 (source, run) and 25.0.3 (source)",
        event: Event::Unknown,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "close",
        lesson: "exchange",
        source: "openjdk/jdk17u src/java.net.http/share/classes/jdk/internal/net/http/Http1HeaderParser.java:97 at 17.0.21.1 (Debian source); openjdk/jdk25u src/java.net.http/share/classes/jdk/internal/net/http/Http1HeaderParser.java:97 at 25.0.3 (Temurin src.zip)",
    },
    // The cause under the header parser's line after a FIN (checked with `close`).
    Message {
        text: "java.io.EOFException: EOF reached while reading",
        stack: "Java java.net.http",
        versions: "OpenJDK 17.0.21.1 (source, run)",
        event: Event::ClosedBeforeAnswer,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "close",
        lesson: "exchange",
        source: "openjdk/jdk17u src/java.net.http/share/classes/jdk/internal/net/http/Http1AsyncReceiver.java:597 at 17.0.21.1 (Debian source)",
    },
    // A refused connect, as JDK 17's HttpClient reports it: `Utils.toConnectException` wraps the
    // channel's exception, which has no message, so the line is the bare class name (run
    // against a port nobody listens on; the cause is `java.nio.channels.ClosedChannelException`).
    Message {
        text: "java.net.ConnectException",
        stack: "Java java.net.http",
        versions: "OpenJDK 17.0.21.1 (source, run)",
        event: Event::Refused,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "refused",
        lesson: "retry",
        source: "openjdk/jdk17u src/java.net.http/share/classes/jdk/internal/net/http/common/Utils.java:1098 (toConnectException) at 17.0.21.1 (Debian source)",
    },
    Message {
        text: "java.net.http.HttpTimeoutException: request timed out",
        stack: "Java java.net.http",
        versions: "OpenJDK 17.0.21.1 (source, run) and 25.0.3 (source)",
        event: Event::OwnTimeout,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "stall",
        lesson: "timeout",
        source: "openjdk/jdk17u src/java.net.http/share/classes/jdk/internal/net/http/ResponseTimerEvent.java:63 at 17.0.21.1 (Debian source); openjdk/jdk25u src/java.net.http/share/classes/jdk/internal/net/http/ResponseTimerEvent.java:63 at 25.0.3 (Temurin src.zip)",
    },
    // Loopback answers every SYN, so no lab command makes a connect wait.
    Message {
        text: "java.net.http.HttpConnectTimeoutException: HTTP connect timed out",
        stack: "Java java.net.http",
        versions: "OpenJDK 17.0.21.1 and 25.0.3 (source)",
        event: Event::OwnTimeout,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "timeout",
        source: "openjdk/jdk17u src/java.net.http/share/classes/jdk/internal/net/http/ResponseTimerEvent.java:68 at 17.0.21.1 (Debian source); openjdk/jdk25u src/java.net.http/share/classes/jdk/internal/net/http/ResponseTimerEvent.java:68 at 25.0.3 (Temurin src.zip)",
    },
    // The client's own pool closed the connection (its idle timer, or after another error); unlike
    // a program's own bug, a new connection does help.
    Message {
        text: "java.io.IOException: connection closed locally",
        stack: "Java java.net.http",
        versions: "OpenJDK 17.0.21.1 and 25.0.3 (source)",
        event: Event::LocalClose,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "",
        lesson: "failure",
        source: "openjdk/jdk17u src/java.net.http/share/classes/jdk/internal/net/http/SocketTube.java:160 at 17.0.21.1 (Debian source); openjdk/jdk25u src/java.net.http/share/classes/jdk/internal/net/http/SocketTube.java:160 at 25.0.3 (Temurin src.zip)",
    },
    // ---- Java: OkHttp ----
    // EOF before the status line, most often on a pooled connection the server had closed.
    Message {
        text: "unexpected end of stream on {path}",
        stack: "Java OkHttp",
        versions: "OkHttp 4.12.0 and 5.1.0 (source)",
        event: Event::ClosedBeforeAnswer,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "idle-close",
        lesson: "reuse",
        source: "square/okhttp okhttp/src/main/kotlin/okhttp3/internal/http1/Http1ExchangeCodec.kt:210 at parent-4.12.0",
    },
    // No lab script closes cleanly in the middle of an answer.
    Message {
        text: "java.net.ProtocolException: unexpected end of stream",
        stack: "Java OkHttp",
        versions: "OkHttp 4.12.0 and 5.1.0 (source)",
        event: Event::ClosedMidAnswer,
        place: Place::DuringAnswer,
        retry: Retry::IfIdempotent,
        script: "",
        lesson: "exchange",
        source: "square/okhttp okhttp/src/main/kotlin/okhttp3/internal/http1/Http1ExchangeCodec.kt:379 at parent-4.12.0",
    },
    // Okio's read timeout; java.net's own says `Read timed out`.
    Message {
        text: "java.net.SocketTimeoutException: timeout",
        stack: "Java OkHttp",
        versions: "OkHttp 4.12.0 with Okio 3.6.0 (source)",
        event: Event::OwnTimeout,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "stall",
        lesson: "timeout",
        source: "square/okio okio/src/jvmMain/kotlin/okio/JvmOkio.kt:146 at parent-3.6.0",
    },
    // callTimeout, for the whole call.
    Message {
        text: "java.io.InterruptedIOException: timeout",
        stack: "Java OkHttp",
        versions: "OkHttp 4.12.0 and 5.1.0 (source)",
        event: Event::OwnTimeout,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "stall",
        lesson: "timeout",
        source: "square/okhttp okhttp/src/main/kotlin/okhttp3/internal/connection/RealCall.kt:398 at parent-4.12.0",
    },
    Message {
        text: "java.net.ConnectException: Failed to connect to {*}",
        stack: "Java OkHttp",
        versions: "OkHttp 4.12.0 and 5.1.0 (source)",
        event: Event::Refused,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "refused",
        lesson: "retry",
        source: "square/okhttp okhttp/src/main/kotlin/okhttp3/internal/connection/RealConnection.kt:297 at parent-4.12.0",
    },
    // ---- Java: Apache HttpClient ----
    // The classic stale pooled connection: the server closed it while it sat idle.
    Message {
        text: "NoHttpResponseException: {addr} failed to respond",
        stack: "Java Apache HttpClient",
        versions: "Apache HttpClient 4.5.14 and 5.3.1, HttpCore 4.4.16 and 5.2.5 (source)",
        event: Event::ClosedBeforeAnswer,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "idle-close",
        lesson: "reuse",
        source: "apache/httpcomponents-client httpclient5/src/main/java/org/apache/hc/client5/http/impl/classic/HttpRequestRetryExec.java:150 at rel/v5.3.1",
    },
    Message {
        text: "NoHttpResponseException: The target server failed to respond",
        stack: "Java Apache HttpClient",
        versions: "Apache HttpClient 4.5.14 and 5.3.1, HttpCore 4.4.16 and 5.2.5 (source)",
        event: Event::ClosedBeforeAnswer,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "idle-close",
        lesson: "reuse",
        source: "apache/httpcomponents-client httpclient/src/main/java/org/apache/http/impl/conn/DefaultHttpResponseParser.java:141 at rel/v4.5.14",
    },
    // No lab script closes cleanly in the middle of an answer.
    Message {
        text: "Premature end of Content-Length delimited message body",
        stack: "Java Apache HttpClient",
        versions: "Apache HttpClient 4.5.14 and 5.3.1, HttpCore 4.4.16 and 5.2.5 (source)",
        event: Event::ClosedMidAnswer,
        place: Place::DuringAnswer,
        retry: Retry::IfIdempotent,
        script: "",
        lesson: "exchange",
        source: "apache/httpcomponents-core httpcore/src/main/java/org/apache/http/impl/io/ContentLengthInputStream.java:141 at rel/v4.4.16",
    },
    // No lab script closes cleanly in the middle of an answer.
    Message {
        text: "Premature end of chunk coded message body: closing chunk expected",
        stack: "Java Apache HttpClient",
        versions: "Apache HttpClient 4.5.14 and 5.3.1, HttpCore 4.4.16 and 5.2.5 (source)",
        event: Event::ClosedMidAnswer,
        place: Place::DuringAnswer,
        retry: Retry::IfIdempotent,
        script: "",
        lesson: "exchange",
        source: "apache/httpcomponents-core httpcore/src/main/java/org/apache/http/impl/io/ChunkedInputStream.java:264 at rel/v4.4.16",
    },
    // ---- .NET ----
    // A SocketException prints `(NativeErrorCode)` after its type, and the OS's words.
    Message {
        text: "SocketException ({n}): Connection reset by peer",
        stack: ".NET System.Net.Sockets",
        versions: ".NET 5+ (dotnet/runtime main, stored copy), Linux and macOS",
        event: Event::Reset,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "reset",
        lesson: "errno",
        source: "dotnet/runtime src/libraries/System.Private.CoreLib/src/System/ComponentModel/Win32Exception.cs (ToString) at commit 1f5d5a5",
    },
    Message {
        text: "SocketException (10054): An existing connection was forcibly closed by the remote host",
        stack: ".NET System.Net.Sockets",
        versions: ".NET 5+ (dotnet/runtime main, stored copy), Windows",
        event: Event::Reset,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "reset",
        lesson: "errno",
        source: "dotnet/runtime src/libraries/System.Private.CoreLib/src/System/ComponentModel/Win32Exception.cs (ToString) at commit 1f5d5a5; https://learn.microsoft.com/en-us/windows/win32/winsock/windows-sockets-error-codes-2 (WSAECONNRESET)",
    },
    // Windows' SYN retries ran out (about 21 s). Loopback answers every SYN, so no lab command
    // makes a connect wait.
    Message {
        text: "SocketException (10060): A connection attempt failed because the connected party did not properly respond after a period of time",
        stack: ".NET System.Net.Sockets",
        versions: ".NET 5+ (dotnet/runtime main, stored copy), Windows",
        event: Event::KernelTimeout,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "timeout",
        source: "dotnet/runtime src/libraries/System.Private.CoreLib/src/System/ComponentModel/Win32Exception.cs (ToString) at commit 1f5d5a5; https://learn.microsoft.com/en-us/windows/win32/winsock/windows-sockets-error-codes-2 (WSAETIMEDOUT)",
    },
    // NetworkStream wraps the SocketException in an IOException with its words.
    Message {
        text: "Unable to read data from the transport connection: Connection reset by peer",
        stack: ".NET System.Net.Sockets",
        versions: ".NET 5+ (dotnet/runtime main, stored copy), Linux",
        event: Event::Reset,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "reset",
        lesson: "exchange",
        source: "dotnet/runtime src/libraries/System.Net.Sockets/src/Resources/Strings.resx (net_io_readfailure) at commit 1a3793e",
    },
    Message {
        text: "Unable to read data from the transport connection: An existing connection was forcibly closed by the remote host",
        stack: ".NET System.Net.Sockets",
        versions: ".NET 5+ (dotnet/runtime main, stored copy), Windows",
        event: Event::Reset,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "reset",
        lesson: "exchange",
        source: "dotnet/runtime src/libraries/System.Net.Sockets/src/Resources/Strings.resx (net_io_readfailure) at commit 1a3793e; https://learn.microsoft.com/en-us/windows/win32/winsock/windows-sockets-error-codes-2 (WSAECONNRESET)",
    },
    Message {
        text: "Unable to write data to the transport connection: Broken pipe",
        stack: ".NET System.Net.Sockets",
        versions: ".NET 5+ (dotnet/runtime main, stored copy), Linux",
        event: Event::Reset,
        place: Place::Send,
        retry: Retry::IfIdempotent,
        script: "close",
        lesson: "exchange",
        source: "dotnet/runtime src/libraries/System.Net.Sockets/src/Resources/Strings.resx (net_io_writefailure) at commit 1a3793e",
    },
    // Also when a buffered body is cut short; `An error occurred while sending the request.`
    // around it means the status line never came. That wrapper has no entry: as the longer text it
    // would win over the cause it wraps.
    Message {
        text: "The response ended prematurely.",
        stack: ".NET HttpClient",
        versions: ".NET 5+ (dotnet/runtime main, stored copy)",
        event: Event::ClosedBeforeAnswer,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "close",
        lesson: "exchange",
        source: "dotnet/runtime src/libraries/System.Net.Http/src/Resources/Strings.resx (net_http_invalid_response_premature_eof) at commit 0074b92",
    },
    // No lab script closes cleanly in the middle of an answer.
    Message {
        text: "The response ended prematurely, with at least {n} additional bytes expected.",
        stack: ".NET HttpClient",
        versions: ".NET 5+ (dotnet/runtime main, stored copy)",
        event: Event::ClosedMidAnswer,
        place: Place::DuringAnswer,
        retry: Retry::IfIdempotent,
        script: "",
        lesson: "exchange",
        source: "dotnet/runtime src/libraries/System.Net.Http/src/Resources/Strings.resx (net_http_invalid_response_premature_eof_bytecount) at commit 0074b92",
    },
    Message {
        text: "The request was canceled due to the configured HttpClient.Timeout of {n} seconds elapsing.",
        stack: ".NET HttpClient",
        versions: ".NET 5+ (dotnet/runtime main, stored copy)",
        event: Event::OwnTimeout,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "stall",
        lesson: "timeout",
        source: "dotnet/runtime src/libraries/System.Net.Http/src/Resources/Strings.resx (net_http_request_timedout) at commit 0074b92",
    },
    // SocketsHttpHandler adds the endpoint to the SocketException's words.
    Message {
        text: "Connection refused ({addr})",
        stack: ".NET HttpClient",
        versions: ".NET 5+ (dotnet/runtime main, stored copy), Linux",
        event: Event::Refused,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "refused",
        lesson: "retry",
        source: "dotnet/runtime src/libraries/System.Net.Http/src/System/Net/Http/SocketsHttpHandler/ConnectHelper.cs (CreateWrappedException)",
    },
    Message {
        text: "No connection could be made because the target machine actively refused it. ({addr})",
        stack: ".NET HttpClient",
        versions: ".NET 5+ (dotnet/runtime main, stored copy), Windows",
        event: Event::Refused,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "refused",
        lesson: "retry",
        source: "dotnet/runtime src/libraries/System.Net.Http/src/System/Net/Http/SocketsHttpHandler/ConnectHelper.cs (CreateWrappedException); https://learn.microsoft.com/en-us/windows/win32/winsock/windows-sockets-error-codes-2 (WSAECONNREFUSED)",
    },
    // ---- Rust: hyper and reqwest ----
    // IncompleteMessage: a FIN while hyper waited for the head (src/proto/h1/io.rs:214 at v1.5.0),
    // typically on a pooled connection the server had just closed.
    Message {
        text: "connection closed before message completed",
        stack: "Rust hyper",
        versions: "hyper 0.14.28 and 1.5.0 (source)",
        event: Event::ClosedBeforeAnswer,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "idle-close",
        lesson: "reuse",
        source: "hyperium/hyper src/error.rs:450 at v1.5.0 (src/error.rs:461 at v0.14.28)",
    },
    // The Debug form of the line above.
    Message {
        text: "hyper::Error(IncompleteMessage)",
        stack: "Rust hyper",
        versions: "hyper 0.14.28 and 1.5.0 (source)",
        event: Event::ClosedBeforeAnswer,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "idle-close",
        lesson: "reuse",
        source: "hyperium/hyper src/error.rs:517 at v1.5.0",
    },
    // No lab script closes cleanly in the middle of an answer.
    Message {
        text: "end of file before message length reached",
        stack: "Rust hyper",
        versions: "hyper 0.14.28 and 1.5.0 (source)",
        event: Event::ClosedMidAnswer,
        place: Place::DuringAnswer,
        retry: Retry::IfIdempotent,
        script: "",
        lesson: "exchange",
        source: "hyperium/hyper src/proto/h1/decode.rs:683 at v1.5.0",
    },
    // The Debug form; its Display, `operation timed out`, is too common a phrase to match on.
    Message {
        text: "source: TimedOut",
        stack: "Rust reqwest",
        versions: "reqwest 0.11.27 and 0.12.9 (source)",
        event: Event::OwnTimeout,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "stall",
        lesson: "timeout",
        source: "seanmonstar/reqwest src/error.rs:316 at v0.12.9",
    },
    // ---- Rust: std ----
    // The Rust standard library, which this crate teaches.
    Message {
        text: "Connection reset by peer (os error {n})",
        stack: "Rust std",
        versions: "Rust 1.95.0 on Linux (run)",
        event: Event::Reset,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "reset",
        lesson: "exchange",
        source: "rust-lang/rust library/std/src/io/error.rs (impl Display for Error, which adds ` (os error N)` to the OS's words)",
    },
    Message {
        text: "Broken pipe (os error 32)",
        stack: "Rust std",
        versions: "Rust 1.95.0 on Linux (run)",
        event: Event::Reset,
        place: Place::Send,
        retry: Retry::IfIdempotent,
        script: "close",
        lesson: "exchange",
        source: "rust-lang/rust library/std/src/io/error.rs (impl Display for Error, which adds ` (os error N)` to the OS's words)",
    },
    // A read timeout on Unix is EAGAIN (11 on Linux, 35 on macOS), kind WouldBlock, not TimedOut;
    // a non-blocking socket with nothing to read says the same.
    Message {
        text: "Resource temporarily unavailable (os error {n})",
        stack: "Rust std",
        versions: "Rust 1.95.0 on Linux (run)",
        event: Event::OwnTimeout,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "stall",
        lesson: "timeout",
        source: "rust-lang/rust library/std/src/io/error.rs (impl Display for Error, which adds ` (os error N)` to the OS's words); https://doc.rust-lang.org/std/net/struct.TcpStream.html#method.set_read_timeout",
    },
    // A read timeout on Windows: the same words as Windows' own connect timeout, kind TimedOut.
    Message {
        text: "A connection attempt failed because the connected party did not properly respond after a period of time, or established connection failed because connected host has failed to respond. (os error 10060)",
        stack: "Rust std",
        versions: "Rust std on Windows (documentation)",
        event: Event::OwnTimeout,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "stall",
        lesson: "timeout",
        source: "https://doc.rust-lang.org/std/net/struct.TcpStream.html#method.set_read_timeout; https://learn.microsoft.com/en-us/windows/win32/winsock/windows-sockets-error-codes-2 (WSAETIMEDOUT)",
    },
    Message {
        text: "Connection refused (os error {n})",
        stack: "Rust std",
        versions: "Rust 1.95.0 on Linux (run)",
        event: Event::Refused,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "refused",
        lesson: "retry",
        source: "rust-lang/rust library/std/src/io/error.rs (impl Display for Error, which adds ` (os error N)` to the OS's words)",
    },
    Message {
        text: "Connection timed out (os error 110)",
        stack: "Rust std",
        versions: "Rust std on Linux",
        event: Event::KernelTimeout,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "partition",
        lesson: "heartbeat",
        source: "rust-lang/rust library/std/src/io/error.rs (impl Display for Error, which adds ` (os error N)` to the OS's words)",
    },
    // The Debug form: its Display, `connection timed out`, is also the kernel's ETIMEDOUT in other
    // stacks' words. It is connect_timeout's own timer. Loopback answers every SYN, so no lab
    // command makes a connect wait.
    Message {
        text: r#"kind: TimedOut, message: "connection timed out""#,
        stack: "Rust std",
        versions: "Rust std (source)",
        event: Event::OwnTimeout,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "timeout",
        source: "rust-lang/rust library/std/src/sys/net/connection/socket/unix.rs (Socket::connect_timeout) at commit 09f9af8",
    },
    // The partition drops packets without an ICMP error, so it ends in a timeout, never in
    // EHOSTUNREACH.
    Message {
        text: "No route to host (os error 113)",
        stack: "Rust std",
        versions: "Rust std on Linux",
        event: Event::Unreachable,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "exchange",
        source: "rust-lang/rust library/std/src/io/error.rs (impl Display for Error, which adds ` (os error N)` to the OS's words)",
    },
    Message {
        text: "An existing connection was forcibly closed by the remote host. (os error 10054)",
        stack: "Rust std",
        versions: "Rust std on Windows",
        event: Event::Reset,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "reset",
        lesson: "errno",
        source: "rust-lang/rust library/std/src/io/error.rs (impl Display for Error, which adds ` (os error N)` to the OS's words); https://learn.microsoft.com/en-us/windows/win32/winsock/windows-sockets-error-codes-2 (WSAECONNRESET)",
    },
    // read_exact met EOF; with no byte read at all (as with `close`) the words are the same.
    Message {
        text: "failed to fill whole buffer",
        stack: "Rust std",
        versions: "Rust 1.95.0 on Linux (run)",
        event: Event::ClosedMidAnswer,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "close",
        lesson: "exchange",
        source: "rust-lang/rust library/std/src/io/mod.rs (default_read_exact)",
    },
    // ---- nginx ----
    // nginx's error log, from the proxy's side: the upstream is the peer. `(%d: %s)` is the errno
    // (src/core/ngx_log.c:304), `while ...` the step (ngx_http_upstream.c sets it).
    Message {
        text: "upstream prematurely closed connection while reading response header from upstream",
        stack: "nginx",
        versions: "nginx 1.26.2 and 1.28.0 (source)",
        event: Event::ClosedBeforeAnswer,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "close",
        lesson: "exchange",
        source: "nginx/nginx src/http/ngx_http_upstream.c:2456 at release-1.26.2",
    },
    // No lab script closes cleanly in the middle of an answer.
    Message {
        text: "upstream prematurely closed connection while reading upstream",
        stack: "nginx",
        versions: "nginx 1.26.2 and 1.28.0 (source)",
        event: Event::ClosedMidAnswer,
        place: Place::DuringAnswer,
        retry: Retry::IfIdempotent,
        script: "",
        lesson: "exchange",
        source: "nginx/nginx src/http/ngx_http_upstream.c:4224 at release-1.26.2",
    },
    Message {
        text: "recv() failed ({n}: Connection reset by peer) while reading response header from upstream",
        stack: "nginx",
        versions: "nginx 1.26.2 and 1.28.0 (source)",
        event: Event::Reset,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "reset",
        lesson: "exchange",
        source: "nginx/nginx src/os/unix/ngx_recv.c:190 at release-1.26.2",
    },
    Message {
        text: "readv() failed ({n}: Connection reset by peer) while reading upstream",
        stack: "nginx",
        versions: "nginx 1.26.2 and 1.28.0 (source)",
        event: Event::Reset,
        place: Place::DuringAnswer,
        retry: Retry::IfIdempotent,
        script: "reset-after:500",
        lesson: "exchange",
        source: "nginx/nginx src/os/unix/ngx_readv_chain.c:239 at release-1.26.2",
    },
    // Only while still sending: with a request body larger than the socket buffers.
    Message {
        text: "writev() failed ({n}: Broken pipe) while sending request to upstream",
        stack: "nginx",
        versions: "nginx 1.26.2 and 1.28.0 (source)",
        event: Event::Reset,
        place: Place::Send,
        retry: Retry::IfIdempotent,
        script: "close",
        lesson: "exchange",
        source: "nginx/nginx src/os/unix/ngx_writev_chain.c:210 at release-1.26.2",
    },
    // proxy_read_timeout ran out: nginx's timer, logged with ETIMEDOUT's number and words.
    Message {
        text: "upstream timed out ({n}: Connection timed out) while reading response header from upstream",
        stack: "nginx",
        versions: "nginx 1.26.2 and 1.28.0 (source)",
        event: Event::OwnTimeout,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "stall",
        lesson: "timeout",
        source: "nginx/nginx src/http/ngx_http_upstream.c:4363 at release-1.26.2",
    },
    // proxy_read_timeout between two reads of the body; `drip` slower than it.
    Message {
        text: "upstream timed out ({n}: Connection timed out) while reading upstream",
        stack: "nginx",
        versions: "nginx 1.26.2 and 1.28.0 (source)",
        event: Event::OwnTimeout,
        place: Place::DuringAnswer,
        retry: Retry::IfIdempotent,
        script: "drip",
        lesson: "timeout",
        source: "nginx/nginx src/http/ngx_http_upstream.c:4108 at release-1.26.2",
    },
    // proxy_send_timeout: needs an upstream that stops reading a large body; no lab script does.
    Message {
        text: "upstream timed out ({n}: Connection timed out) while sending request to upstream",
        stack: "nginx",
        versions: "nginx 1.26.2 and 1.28.0 (source)",
        event: Event::OwnTimeout,
        place: Place::Send,
        retry: Retry::IfIdempotent,
        script: "",
        lesson: "timeout",
        source: "nginx/nginx src/http/ngx_http_upstream.c:4363 at release-1.26.2",
    },
    // proxy_connect_timeout. Loopback answers every SYN, so no lab command makes a connect wait.
    Message {
        text: "upstream timed out ({n}: Connection timed out) while connecting to upstream",
        stack: "nginx",
        versions: "nginx 1.26.2 and 1.28.0 (source)",
        event: Event::OwnTimeout,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "timeout",
        source: "nginx/nginx src/http/ngx_http_upstream.c:4363 at release-1.26.2",
    },
    Message {
        text: "connect() failed ({n}: Connection refused) while connecting to upstream",
        stack: "nginx",
        versions: "nginx 1.26.2 and 1.28.0 (source)",
        event: Event::Refused,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "refused",
        lesson: "retry",
        source: "nginx/nginx src/http/ngx_http_upstream.c:2804 at release-1.26.2",
    },
    // The partition drops packets without an ICMP error, so it ends in a timeout, never in
    // EHOSTUNREACH.
    Message {
        text: "connect() failed ({n}: No route to host) while connecting to upstream",
        stack: "nginx",
        versions: "nginx 1.26.2 and 1.28.0 (source)",
        event: Event::Unreachable,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "exchange",
        source: "nginx/nginx src/http/ngx_http_upstream.c:2804 at release-1.26.2",
    },
    // The kernel's timer, unlike `upstream timed out`: only when proxy_connect_timeout outlasts
    // the SYN retries (about 127 s on Linux). Loopback answers every SYN, so no lab command makes
    // a connect wait.
    Message {
        text: "connect() failed ({n}: Connection timed out) while connecting to upstream",
        stack: "nginx",
        versions: "nginx 1.26.2 and 1.28.0 (source)",
        event: Event::KernelTimeout,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "timeout",
        source: "nginx/nginx src/http/ngx_http_upstream.c:2804 at release-1.26.2",
    },
    // ---- PostgreSQL: libpq ----
    // One text for a FIN (fe-misc.c:781) and for an RST or EPIPE (fe-secure.c:262, :430); the FIN
    // is the case libpq names, and its next line is `This probably means the server terminated
    // abnormally`.
    Message {
        text: "server closed the connection unexpectedly",
        stack: "libpq",
        versions: "libpq 15.18 (Debian source)",
        event: Event::ClosedBeforeAnswer,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "close",
        lesson: "exchange",
        source: "postgres/postgres src/interfaces/libpq/fe-misc.c:781 at REL_15_18",
    },
    // Keepalive probes or retransmissions went unanswered. ECONNRESET never gets these words:
    // fe-secure.c:260 turns it into `server closed the connection unexpectedly`.
    Message {
        text: "could not receive data from server: Connection timed out",
        stack: "libpq",
        versions: "libpq 15.18 (Debian source)",
        event: Event::KernelTimeout,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "partition",
        lesson: "heartbeat",
        source: "postgres/postgres src/interfaces/libpq/fe-secure.c:274 at REL_15_18",
    },
    Message {
        text: r#"connection to server at "{host}" ({host}), port {port} failed: Connection refused"#,
        stack: "libpq",
        versions: "libpq 14+; read in 15.18",
        event: Event::Refused,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "refused",
        lesson: "retry",
        source: "postgres/postgres src/interfaces/libpq/fe-connect.c:1741 at REL_15_18",
    },
    // connect_timeout. Loopback answers every SYN, so no lab command makes a connect wait.
    Message {
        text: r#"connection to server at "{host}" ({host}), port {port} failed: timeout expired"#,
        stack: "libpq",
        versions: "libpq 14+; read in 15.18",
        event: Event::OwnTimeout,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "",
        lesson: "timeout",
        source: "postgres/postgres src/interfaces/libpq/fe-connect.c:1741 and fe-misc.c:1034 at REL_15_18",
    },
    // A FIN inside TLS. The lab peer speaks no TLS.
    Message {
        text: "SSL SYSCALL error: EOF detected",
        stack: "libpq",
        versions: "libpq 15.18 (Debian source)",
        event: Event::ClosedBeforeAnswer,
        place: Place::Receive,
        retry: Retry::IfIdempotent,
        script: "",
        lesson: "exchange",
        source: "postgres/postgres src/interfaces/libpq/fe-secure-openssl.c:225 at REL_15_18",
    },
    // ---- MySQL: libmysqlclient ----
    // One text for a FIN, an RST and the client's own read timeout; a FIN is the usual.
    // `idle-close` as a relay in front of MySQL, with a query slower than its idle limit.
    Message {
        text: "Lost connection to MySQL server during query",
        stack: "MySQL client",
        versions: "libmysqlclient 8.x (errmsg.cc as stored, 2024)",
        event: Event::ClosedBeforeAnswer,
        place: Place::BeforeAnswer,
        retry: Retry::IfIdempotent,
        script: "idle-close",
        lesson: "exchange",
        source: "mysql/mysql-server libmysql/errmsg.cc (client_errors[]) at commit 021affa; https://dev.mysql.com/doc/mysql-errors/8.0/en/client-error-reference.html (CR_SERVER_LOST, 2013)",
    },
    // Mostly a connection the server dropped after wait_timeout, used again.
    Message {
        text: "MySQL server has gone away",
        stack: "MySQL client",
        versions: "libmysqlclient 8.x (errmsg.cc as stored, 2024)",
        event: Event::ClosedBeforeAnswer,
        place: Place::Send,
        retry: Retry::IfIdempotent,
        script: "idle-close",
        lesson: "reuse",
        source: "mysql/mysql-server libmysql/errmsg.cc (client_errors[]) at commit 021affa; https://dev.mysql.com/doc/mysql-errors/8.0/en/client-error-reference.html (CR_SERVER_GONE_ERROR, 2006)",
    },
    Message {
        text: "Can't connect to MySQL server on '{*}' (111)",
        stack: "MySQL client",
        versions: "libmysqlclient 8.x (errmsg.cc as stored, 2024)",
        event: Event::Refused,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "refused",
        lesson: "retry",
        source: "mysql/mysql-server libmysql/errmsg.cc (client_errors[]) at commit 021affa; https://dev.mysql.com/doc/mysql-errors/8.0/en/client-error-reference.html (CR_CONN_HOST_ERROR, 2003)",
    },
    // The server closed during the handshake (system error 0: no errno, a plain EOF); no query was
    // sent.
    Message {
        text: "Lost connection to MySQL server at 'reading initial communication packet', system error: 0",
        stack: "MySQL client",
        versions: "libmysqlclient 8.x (errmsg.cc as stored, 2024)",
        event: Event::ClosedBeforeAnswer,
        place: Place::Connect,
        retry: Retry::Safe,
        script: "close",
        lesson: "exchange",
        source: "mysql/mysql-server libmysql/errmsg.cc (client_errors[]) at commit 021affa; https://dev.mysql.com/doc/mysql-errors/8.0/en/client-error-reference.html (CR_SERVER_LOST_EXTENDED, 2013)",
    },
];
