//! The classroom exercises' frame (`exercise`: the demonstration, or
//! `--check` and its verdict) and what their checks share.

use std::io::BufRead;
use std::net::SocketAddr;
use std::panic::{self, AssertUnwindSafe};
use std::process;

use super::{Args, fail_run, finish, try_say};

/// The command line of a classroom exercise: with no argument it runs
/// `demo`, which shows the problem; with `--check` it runs `check` and prints
/// PASS (exit 0) or FAIL and what is still wrong (exit 1).
///
/// `--check --sealed` is the grader's: the check first reads a token, one
/// line on stdin, and its verdict is the one line `VERDICT TOKEN PASS` or
/// `VERDICT TOKEN FAIL reason`. The answer runs only after the token has
/// been read, so it cannot print a verdict of its own that the grader would
/// believe, nor end the program with a status that looks like a pass.
pub fn exercise(
    source: &str,
    name: &'static str,
    usage: &str,
    demo: impl FnOnce() -> std::io::Result<()>,
    check: impl FnOnce() -> Result<(), String>,
) {
    let mut args = Args::from_env(name, usage);
    let checking = match args.next() {
        None => false,
        Some(flag) if flag == "--check" => true,
        Some(other) => args.unknown(&other),
    };
    let sealed = checking
        && match args.next() {
            None => false,
            Some(flag) if flag == "--sealed" => true,
            Some(other) => args.unknown(&other),
        };
    if let Some(extra) = args.next() {
        args.unknown(&extra);
    }
    quiet_panics();
    if !checking {
        match panic::catch_unwind(AssertUnwindSafe(demo)) {
            Ok(result) => finish(name, result),
            Err(_) => fail_run(
                name,
                "the demonstration stopped: your code panicked (see above)",
            ),
        }
        return;
    }
    let token = if sealed { Some(read_token(name)) } else { None };
    // The rules come first: they read the code, and no answer has run yet.
    let verdict = rules(source, name).and_then(|()| {
        panic::catch_unwind(AssertUnwindSafe(check))
            .unwrap_or_else(|_| Err("your code panicked (see the line above)".to_string()))
    });
    // The verdict is also the exit status, so a closed stdout loses
    // nothing that matters: a failed write is ignored.
    let line = match (&token, &verdict) {
        // On a line of its own, even after an answer's `print!` that did
        // not end its line.
        (Some(token), Ok(())) => format!("\nVERDICT {token} PASS"),
        (Some(token), Err(what)) => format!("\nVERDICT {token} FAIL {what}"),
        (None, Ok(())) => format!("PASS: {name}"),
        (None, Err(what)) => format!("FAIL: {name}: {what}"),
    };
    let _ = try_say(format_args!("{line}"));
    if verdict.is_err() {
        process::exit(1);
    }
}

/// Names an answer may not use: each reads another file into the program
/// while it is compiled (`#[path]` on a module, and the `include` macros),
/// which could bring in code from outside the answer, the teacher's
/// solutions included.
const FORBIDDEN: [&str; 4] = ["path", "include", "include_str", "include_bytes"];

/// The rules every answer keeps, read in `source`, the exercise's file:
/// its two markers are there, and the code between them names nothing in
/// [`FORBIDDEN`].
fn rules(source: &str, name: &str) -> Result<(), String> {
    let number = name
        .strip_prefix("ex")
        .and_then(|rest| rest.split('_').next())
        .and_then(|digits| digits.parse().ok())
        .unwrap_or(0);
    let answer = answer(source, number).map_err(|why| format!("cannot find your answer: {why}"))?;
    let named = super::code::tokens(answer)
        .into_iter()
        .find_map(|token| match token {
            super::code::Token::Word(word) if FORBIDDEN.contains(&word) => Some(word),
            _ => None,
        });
    match named {
        Some(word) => Err(format!(
            "your answer names `{word}`: an answer may not read other files when it is compiled (`#[path]`, `include!`, `include_str!`, `include_bytes!`); a variable of that name needs another"
        )),
        None => Ok(()),
    }
}

/// The grader's token: one line on stdin, read before any answer runs.
fn read_token(name: &str) -> String {
    let mut token = String::new();
    match std::io::stdin().lock().read_line(&mut token) {
        Ok(_) if !token.trim().is_empty() => token.trim().to_string(),
        Ok(_) => fail_run(name, "--sealed wants a token on stdin"),
        Err(error) => fail_run(name, format_args!("cannot read the token: {error}")),
    }
}

/// Replaces Rust's panic message, and the backtrace that `RUST_BACKTRACE=1`
/// adds to it, with one line: where the code panicked, and why. A check
/// then reports the panic as its FAIL line.
fn quiet_panics() {
    panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|at| format!(" at {}:{}:{}", at.file(), at.line(), at.column()))
            .unwrap_or_default();
        // A panic's payload is a `&str` or a `String` (`panic!` with
        // arguments); `payload_as_str` does this, but only since Rust 1.91.
        let payload = info.payload();
        let why = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("no message");
        // One line, whatever the message holds.
        let why = why.replace(['\n', '\r'], " ");
        let _ = try_say(format_args!("panicked{place}: {why}"));
    }));
}

/// Runs `f` on a thread of its own and waits at most `limit` for it: the
/// safety net of an exercise's check, so that a student's function that
/// never returns fails the check instead of hanging it. Returns what `f`
/// returned and how long it took, or `None` if it had not returned in time
/// (the thread is then left to end on its own). If `f` panics, so does
/// `within`.
pub fn within<T: Send + 'static>(
    limit: std::time::Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<(T, std::time::Duration)> {
    use std::sync::mpsc::RecvTimeoutError;
    let (done, result) = std::sync::mpsc::channel();
    let started = std::time::Instant::now();
    let worker = std::thread::spawn(move || {
        let value = f();
        let _ = done.send((value, started.elapsed()));
    });
    match result.recv_timeout(limit) {
        Ok(returned) => Some(returned),
        Err(RecvTimeoutError::Timeout) => None,
        // `f` panicked, which dropped the sender: the panic is the check's,
        // so that it is reported as a panic, not as a function that never
        // returned.
        Err(RecvTimeoutError::Disconnected) => match worker.join() {
            Err(payload) => panic::resume_unwind(payload),
            Ok(()) => None,
        },
    }
}

/// Shuts a connection down if it is still in use after a time: a bound on a
/// student's reads that a stop and continue (Ctrl-Z, then `fg`) does not
/// cut short. A read under a read timeout fails with `Interrupted` then, on
/// Linux, which an exercise that sets no timeout does not ask its student
/// to handle; a read with no timeout is resumed, and a shutdown ends it
/// with `Ok(0)` on Linux.
///
/// Dropping the `Watchdog` calls the watch off; its thread then ends at once.
pub struct Watchdog {
    _called_off: std::sync::mpsc::Sender<()>,
}

/// Starts a [`Watchdog`] on `stream`, which shuts it down after `limit`.
pub fn watchdog(
    stream: &std::net::TcpStream,
    limit: std::time::Duration,
) -> std::io::Result<Watchdog> {
    use std::sync::mpsc::RecvTimeoutError;
    let watched = stream.try_clone()?;
    let (called_off, waiting) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        if waiting.recv_timeout(limit) == Err(RecvTimeoutError::Timeout) {
            let _ = watched.shutdown(std::net::Shutdown::Both);
        }
    });
    Ok(Watchdog {
        _called_off: called_off,
    })
}

/// How many times a check runs a timed case before it calls it late: a
/// loaded machine (a lab host shared by a class) can hold up one run by
/// tens of milliseconds, but a function that waits too long is late every
/// time.
pub const TRIES_WHEN_LATE: usize = 3;

/// Runs one timed case of a check, again while `late` says it came back
/// too late (or not at all), at most [`TRIES_WHEN_LATE`] times in all, and
/// returns the last run. Only lateness earns another run: a wrong answer,
/// or an answer too early, is the same on every run.
pub fn unless_late<R>(mut run: impl FnMut() -> R, late: impl Fn(&R) -> bool) -> R {
    let mut ran = run();
    for _ in 1..TRIES_WHEN_LATE {
        if !late(&ran) {
            break;
        }
        ran = run();
    }
    ran
}

/// Serves one connection with `serve` on a thread of its own, and returns
/// the loopback address to connect to. If nobody connects within two
/// seconds, the thread gives up.
pub fn serve_once(
    serve: impl FnOnce(std::net::TcpStream) + Send + 'static,
) -> std::io::Result<SocketAddr> {
    use std::time::{Duration, Instant};
    const ACCEPT_WITHIN: Duration = Duration::from_secs(2);
    const POLL: Duration = Duration::from_millis(2);
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    // Non-blocking, so that the wait for the client has a bound.
    listener.set_nonblocking(true)?;
    std::thread::spawn(move || {
        let deadline = Instant::now() + ACCEPT_WITHIN;
        while Instant::now() < deadline {
            match listener.accept() {
                Ok((stream, _)) => {
                    // An accepted socket may inherit non-blocking mode (on
                    // macOS and the BSDs): make it blocking, as `serve` expects.
                    if stream.set_nonblocking(false).is_ok() {
                        serve(stream);
                    }
                    return;
                }
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                    std::thread::sleep(POLL);
                }
                Err(_) => return,
            }
        }
    });
    Ok(addr)
}

/// The two lines around exercise `number`'s answer in its file: the grader
/// takes what is between them, and nothing else, from a student's copy.
pub fn markers(number: u32) -> (String, String) {
    (
        format!("// >>> exercise {number}: your answer begins here >>>"),
        format!("// <<< exercise {number}: your answer ends here <<<"),
    )
}

/// The answer of exercise `number` in `source`: the lines between its two
/// markers, each alone on its line (spaces around it allowed), the first
/// before the second, each exactly once.
///
/// # Errors
///
/// A one-line reason when a marker is missing, repeated or out of order.
pub fn answer(source: &str, number: u32) -> Result<&str, String> {
    let (begins, ends) = markers(number);
    let find = |marker: &str| {
        let mut at = source
            .split_inclusive('\n')
            .scan(0, |offset, line| {
                let start = *offset;
                *offset += line.len();
                Some((start, *offset, line.trim()))
            })
            .filter(|(_, _, line)| *line == marker);
        match (at.next(), at.next()) {
            (Some((start, end, _)), None) => Ok((start, end)),
            (None, _) => Err(format!("the marker line `{marker}` is missing")),
            (Some(_), Some(_)) => Err(format!("the marker line `{marker}` appears more than once")),
        }
    };
    let (_, from) = find(&begins)?;
    let (to, _) = find(&ends)?;
    source
        .get(from..to)
        .ok_or_else(|| format!("the marker line `{ends}` comes before `{begins}`"))
}
