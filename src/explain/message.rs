//! One message of one stack, and what it means on the wire.

/// What happened on the wire: one vocabulary for every stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// The peer, or something in the path, sent an RST: `reset`.
    Reset,
    /// The peer closed cleanly (FIN) before any byte of the answer:
    /// `closed-before-answer`.
    ClosedBeforeAnswer,
    /// The peer closed cleanly (FIN) after part of the answer:
    /// `closed-mid-answer`.
    ClosedMidAnswer,
    /// A timer of the program's own (or its library's) ran out; the
    /// connection itself may be fine: `own-timeout`.
    OwnTimeout,
    /// The kernel gave up on the connection (retransmissions or keepalive
    /// probes unanswered, ETIMEDOUT): `kernel-timeout`.
    KernelTimeout,
    /// Nobody listens at the address (an RST answered the SYN): `refused`.
    Refused,
    /// No route to the host or network: `unreachable`.
    Unreachable,
    /// The program closed the connection itself, then used it:
    /// `local-close`.
    LocalClose,
    /// Not known: `unknown`. An entry of the table has it when its text is
    /// printed for more than one event (a wrapper such as Node's
    /// `fetch failed`).
    Unknown,
}

impl Event {
    /// The event's name, as the table, the JSON and the docs write it.
    pub fn name(self) -> &'static str {
        match self {
            Event::Reset => "reset",
            Event::ClosedBeforeAnswer => "closed-before-answer",
            Event::ClosedMidAnswer => "closed-mid-answer",
            Event::OwnTimeout => "own-timeout",
            Event::KernelTimeout => "kernel-timeout",
            Event::Refused => "refused",
            Event::Unreachable => "unreachable",
            Event::LocalClose => "local-close",
            Event::Unknown => "unknown",
        }
    }
}

impl Event {
    /// What happened, in one paragraph: on the wire, in the article's
    /// terms (Python's), and in Rust's; each errno with its platform.
    pub fn story(self) -> &'static str {
        match self {
            Event::Reset => {
                "The peer, or a box in the path (a load balancer, a firewall), aborted the connection with an RST: \
                 the article's \"connection reset by peer\", ECONNRESET (errno 104 on Linux, 54 on macOS and FreeBSD, \
                 WSAECONNRESET 10054 on Windows). Python raises ConnectionResetError; in Rust the call fails with \
                 ErrorKind::ConnectionReset, once, and the connection is gone."
            }
            Event::ClosedBeforeAnswer => {
                "The server closed the connection cleanly, with a FIN, before any byte of its answer: no error on the wire, \
                 and no errno. A Rust read returns Ok(0), the end of the stream; Python's recv returns b'', and \
                 http.client raises RemoteDisconnected, a ConnectionResetError by its class though nothing was reset. \
                 Servers do this when they close a kept-alive connection that was idle too long, or when their \
                 process ends with nothing left unread and its kernel closes for it."
            }
            Event::ClosedMidAnswer => {
                "The server closed the connection cleanly, with a FIN, in the middle of its answer: the answer is cut \
                 short. In Rust a read returns Ok(0) before the length the answer announced, and read_exact fails with \
                 ErrorKind::UnexpectedEof; Python's http.client raises IncompleteRead."
            }
            Event::OwnTimeout => {
                "A timer of the program's own, or of its library's, ran out while it waited: nothing on the wire says \
                 why (a hung server, a slow one, or a lost path all look the same), and the connection itself may be \
                 fine. In Rust an expired read or write timeout is ErrorKind::WouldBlock on Unix (EAGAIN) and \
                 TimedOut on Windows; Python raises TimeoutError (socket.timeout before 3.10)."
            }
            Event::KernelTimeout => {
                "The kernel gave up on the connection: its retransmissions, or its keepalive probes, went unanswered \
                 for minutes, so the path or the peer is gone. ETIMEDOUT (errno 110 on Linux, 60 on macOS and FreeBSD, \
                 WSAETIMEDOUT 10060 on Windows); Rust reports ErrorKind::TimedOut with that errno, Python \
                 TimeoutError with it."
            }
            Event::Refused => {
                "Nobody listened at the address: the peer's kernel answered the SYN with an RST. ECONNREFUSED (errno \
                 111 on Linux, 61 on macOS and FreeBSD, WSAECONNREFUSED 10061 on Windows); Rust: \
                 ErrorKind::ConnectionRefused; Python: ConnectionRefusedError. Nothing was sent."
            }
            Event::Unreachable => {
                "No route to the host or its network: a router, or the program's own machine, said so (often with an \
                 ICMP message). EHOSTUNREACH or ENETUNREACH (113 or 101 on Linux, 65 or 51 on macOS); Rust: \
                 ErrorKind::HostUnreachable or NetworkUnreachable. Nothing was sent."
            }
            Event::LocalClose => {
                "The program, or its library, closed the connection itself and then used it: nothing happened on the \
                 wire, and no peer is to blame. A bug in the program's own code, often a connection shared between \
                 tasks, or used after a timeout closed it."
            }
            Event::Unknown => {
                "This text does not say what happened on the wire: its stack prints it for more than one event \
                 (a FIN and an RST alike, or any failure at all). The cause printed with it, if you have it, \
                 says which: explain the cause's line."
            }
        }
    }
}

/// Where the event met the program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// While connecting: nothing was sent.
    Connect,
    /// While sending the request.
    Send,
    /// While waiting for the answer, before any byte of it.
    BeforeAnswer,
    /// In the middle of the answer.
    DuringAnswer,
    /// While receiving; the message does not say whether any of the answer
    /// had come.
    Receive,
}

impl Place {
    /// The place's name, as the table, the JSON and the docs write it.
    pub fn name(self) -> &'static str {
        match self {
            Place::Connect => "connect",
            Place::Send => "send",
            Place::BeforeAnswer => "before the answer",
            Place::DuringAnswer => "during the answer",
            Place::Receive => "receive",
        }
    }
}

/// Whether a new connection may carry the request again: `reuse`'s rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    /// Yes: the request never left (a refused or unreachable connect).
    Safe,
    /// Only a request that is safe to repeat (idempotent): the server may
    /// have acted on it.
    IfIdempotent,
    /// No: a new connection does not fix it (the program's own bug).
    No,
}

impl Retry {
    /// The rule's name, as the table, the JSON and the docs write it.
    pub fn name(self) -> &'static str {
        match self {
            Retry::Safe => "yes",
            Retry::IfIdempotent => "only if idempotent",
            Retry::No => "no",
        }
    }
}

/// One message of one stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message {
    /// The text as the stack prints it, its variable parts written as
    /// holes: `{n}` a number, `{host}` a host name or address, `{port}` a
    /// port, `{addr}` a `HOST:PORT`, `{path}` a path or URL, `{*}` any
    /// text on the same line, `{**}` any text across lines (a message and
    /// the cause printed under it). Everything else matches as written,
    /// case and runs of spaces aside.
    pub text: &'static str,
    /// The stack: a language's library, a client, a server.
    pub stack: &'static str,
    /// The versions the text holds for.
    pub versions: &'static str,
    /// What happened on the wire, most often.
    pub event: Event,
    /// What else the same text is printed for, if anything: libpq's
    /// "server closed the connection unexpectedly" is a FIN most often,
    /// and an RST too.
    pub also: &'static [Event],
    /// Where it met the program.
    pub place: Place,
    /// Whether a new connection may carry the request again.
    pub retry: Retry,
    /// The lab peer's script that reproduces it (`close`, `reset`,
    /// `stall`, ...: `cargo run --example peer -- SCRIPT`); `refused` for a
    /// port nobody listens on, `partition` for the partition example
    /// (`cargo run --example partition`, as root), and empty when no lab
    /// command reproduces it.
    pub script: &'static str,
    /// The crate's lesson (module) that handles it.
    pub lesson: &'static str,
    /// Where the text is: a file and line at a named version, or the
    /// vendor's documentation page.
    pub source: &'static str,
}
