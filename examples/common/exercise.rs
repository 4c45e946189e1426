//! The classroom exercises' frame (`exercise`: the demonstration, or
//! `--check` and its verdict) and what their checks share.

use std::net::SocketAddr;
use std::process;

use super::{Args, finish, try_say};

/// The command line of a classroom exercise: with no argument it runs
/// `demo`, which shows the problem; with `--check` it runs `check` and prints
/// PASS (exit 0) or FAIL and what is still wrong (exit 1).
pub fn exercise(
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
    if let Some(extra) = args.next() {
        args.unknown(&extra);
    }
    if !checking {
        finish(name, demo());
        return;
    }
    // The verdict is also the exit status, so a closed stdout loses
    // nothing that matters: a failed write is ignored.
    match check() {
        Ok(()) => {
            let _ = try_say(format_args!("PASS: {name}"));
        }
        Err(what) => {
            let _ = try_say(format_args!("FAIL: {name}: {what}"));
            process::exit(1);
        }
    }
}

/// Runs `f` on a thread of its own and waits at most `limit` for it: the
/// safety net of an exercise's check, so that a student's function that
/// never returns fails the check instead of hanging it. Returns what `f`
/// returned and how long it took, or `None` if it had not returned in time
/// (the thread is then left to end on its own).
pub fn within<T: Send + 'static>(
    limit: std::time::Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<(T, std::time::Duration)> {
    let (done, result) = std::sync::mpsc::channel();
    let started = std::time::Instant::now();
    std::thread::spawn(move || {
        let value = f();
        let _ = done.send((value, started.elapsed()));
    });
    result.recv_timeout(limit).ok()
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
