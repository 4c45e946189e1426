//! The classroom exercises' board, and the teacher's commands.
//!
//! - The board (`board.rs`): checks every exercise by running `cargo run
//!   --quiet --example exN_... -- --check` as a child process, so that an
//!   exercise that does not compile shows as such on the board instead of
//!   breaking it; prints the board and says which exercise to do next.
//!   `--check` exits 0 only when all nine pass (`--check --core`: the six
//!   core ones); without, it exits 0 once it has shown the board, as every
//!   example does. `--hint N` prints exercise N's hint (from `docs/hints/`);
//!   `--watch` re-checks the exercise you are on each time its file changes.
//! - `--grade DIR...` (`grade.rs`): the teacher's grader, which compiles
//!   only each student's answers against the teacher's own checks.
//! - `--handout DIR` (`handout.rs`): a fresh repository for the students,
//!   one commit, without the solutions and the wrong answers.
//!
//! Run:  cargo run --example exercises

#[path = "../common/mod.rs"]
mod common;

mod board;
mod grade;
mod handout;

use std::fmt::Display;
use std::io::{self, Read, Write};
use std::process::{self, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

const NAME: &str = "exercises";
const USAGE: &str = "\
usage: cargo run --example exercises [-- --check [--core] | --hint N | --watch]
       cargo run --example exercises -- --grade [--json] DIR...
       cargo run --example exercises -- --handout DIR

Checks every classroom exercise (docs/exercises.md) and prints a board:
which pass, which do not yet and why, and which to do next.

  --check    the same board, then exit 0 only if all nine pass, and 1 if
             not; with --core, only if the six core exercises pass
  --hint N   print the hint of exercise N: 1 to 9
  --watch    re-check the exercise you are on each time you save its file;
             Ctrl-C to stop

For the teacher (docs/teaching.md, in the teacher's copy):

  --grade DIR...  grade each student's copy: only the answers between the
             markers, compiled against this copy's checks, one line per
             folder (DIR: core N/6, bonus M/3); --json prints one JSON
             object per folder instead
  --handout DIR   write a fresh repository for the students in DIR (new or
             empty): one commit of HEAD, without tests/solutions/,
             tests/wrong/, the teacher's page and the CI; needs git
";

/// One exercise: its number, its example, what it teaches, and its hint.
struct Exercise {
    number: u32,
    example: &'static str,
    title: &'static str,
    bonus: bool,
    hint: &'static str,
}

const EXERCISES: [Exercise; 9] = [
    Exercise {
        number: 1,
        example: "ex1_eof",
        title: "tell the end of the stream from a reset",
        bonus: false,
        hint: include_str!("../../docs/hints/ex1_eof.md"),
    },
    Exercise {
        number: 2,
        example: "ex2_errno",
        title: "read an errno: 54 against 104",
        bonus: false,
        hint: include_str!("../../docs/hints/ex2_errno.md"),
    },
    Exercise {
        number: 3,
        example: "ex3_except",
        title: "after the except: is the socket still usable?",
        bonus: false,
        hint: include_str!("../../docs/hints/ex3_except.md"),
    },
    Exercise {
        number: 4,
        example: "ex4_retry",
        title: "a retry that reconnects",
        bonus: false,
        hint: include_str!("../../docs/hints/ex4_retry.md"),
    },
    Exercise {
        number: 5,
        example: "ex5_timeout",
        title: "a timeout that arrives as WouldBlock",
        bonus: false,
        hint: include_str!("../../docs/hints/ex5_timeout.md"),
    },
    Exercise {
        number: 6,
        example: "ex6_deadline",
        title: "a deadline for read_exact",
        bonus: true,
        hint: include_str!("../../docs/hints/ex6_deadline.md"),
    },
    Exercise {
        number: 7,
        example: "ex7_heartbeat",
        title: "a heartbeat that notices silence",
        bonus: false,
        hint: include_str!("../../docs/hints/ex7_heartbeat.md"),
    },
    Exercise {
        number: 8,
        example: "ex8_backoff",
        title: "exponential backoff with a cap",
        bonus: true,
        hint: include_str!("../../docs/hints/ex8_backoff.md"),
    },
    Exercise {
        number: 9,
        example: "ex9_reuse",
        title: "send again on a fresh connection, only when safe",
        bonus: true,
        hint: include_str!("../../docs/hints/ex9_reuse.md"),
    },
];

/// The folder holding Cargo.toml, where cargo must run.
const PROJECT: &str = env!("CARGO_MANIFEST_DIR");

/// Prints a line. A closed stdout is no reason to stop or to panic: the
/// board is lost, the exit status still says it all.
fn say(line: impl Display) {
    let _ = common::try_say(format_args!("{line}"));
}

/// What a child process left: its exit code and its output.
struct Ran {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// How much of a program's output is kept: the rest is read and dropped,
/// so that a program that floods its output still ends. The largest file
/// the hand-out copies through `git show` is under 100 KiB.
const KEEP: u64 = 16 * 1024 * 1024;

/// Reads a pipe to its end in a thread of its own, keeping the first
/// [`KEEP`] bytes.
fn drain(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<String> {
    let (done, text) = mpsc::channel();
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.by_ref().take(KEEP).read_to_end(&mut bytes);
            let _ = io::copy(&mut pipe, &mut io::sink());
        }
        let _ = done.send(String::from_utf8_lossy(&bytes).into_owned());
    });
    text
}

/// How often a bounded wait looks whether the program has ended.
const POLL_EXIT: Duration = Duration::from_millis(10);

/// Runs `command` with `input` on its stdin (or none), and waits at most
/// `limit` for it; kills it after that. With `group` (Unix), the program
/// gets a process group of its own, and the whole group is killed once it
/// has ended or run out of time, so that nothing it started lives on: a
/// compiler cargo started, a process an answer started.
///
/// # Errors
///
/// A one-line reason if it could not start or did not end in time.
fn run_bounded(
    mut command: Command,
    input: Option<String>,
    limit: Duration,
    group: bool,
) -> Result<Ran, String> {
    let stdin = if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    };
    command
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    if group {
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
    }
    let mut child = command
        .spawn()
        .map_err(|error| format!("could not run {:?}: {error}", command.get_program()))?;
    if let (Some(mut pipe), Some(input)) = (child.stdin.take(), input) {
        // A program that never reads its stdin must not block this write:
        // the input is one short line, well within a pipe's buffer.
        let _ = pipe.write_all(input.as_bytes());
    }
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = Instant::now() + limit;
    let wait = |pipe: &mpsc::Receiver<String>| {
        pipe.recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .ok()
    };
    let texts = (wait(&stdout), wait(&stderr));
    // The pipes close when the program exits, unless it closed them itself
    // or left them to a process of its own: the wait for its exit has the
    // same bound.
    let mut code = None;
    while Instant::now() < deadline {
        match child.try_wait() {
            Ok(Some(status)) => {
                code = Some(status.code());
                break;
            }
            Ok(None) => thread::sleep(POLL_EXIT),
            Err(_) => break,
        }
    }
    if code.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    if group {
        end_group(child.id());
    }
    match (texts, code) {
        ((Some(stdout), Some(stderr)), Some(code)) => Ok(Ran {
            code,
            stdout,
            stderr,
        }),
        _ => Err(format!("it had not finished after {} s", limit.as_secs())),
    }
}

/// Kills every process left in the group `id` leads (Unix; std has no call
/// for it, so `kill` does it).
fn end_group(id: u32) {
    if cfg!(unix) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{id}")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// `text`, cut to at most `limit` characters, with `...` if it was cut:
/// a reason fits on one line of the board.
fn shorten(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_string(),
    }
}

/// The compiler's first error in cargo's output, and where it is.
fn compile_error(stderr: &str) -> String {
    let first = stderr
        .lines()
        .find(|line| line.starts_with("error"))
        .unwrap_or("error");
    let place = stderr
        .lines()
        .find_map(|line| line.trim_start().strip_prefix("--> "))
        .map(|place| format!(" (at {place})"))
        .unwrap_or_default();
    format!("{first}{place}")
}

/// What the command line asks for.
enum Mode {
    Board,
    Check { core: bool },
    Hint(u64),
    Watch,
    Grade { dirs: Vec<String>, json: bool },
    Handout(String),
}

/// Reads the command line; exits 2 on bad usage.
fn parse() -> Mode {
    let mut args = common::Args::from_env(NAME, USAGE);
    let mut modes = Vec::new();
    let (mut core, mut json, mut dirs) = (false, false, Vec::new());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--hint" => modes.push(Mode::Hint(args.number("--hint", 1..=9))),
            "--watch" => modes.push(Mode::Watch),
            "--check" => modes.push(Mode::Check { core: false }),
            "--grade" => modes.push(Mode::Grade {
                dirs: Vec::new(),
                json: false,
            }),
            "--handout" => match args.value::<String>("--handout") {
                // An unset shell variable: never the current folder.
                dir if dir.trim().is_empty() => {
                    common::fail(NAME, "--handout wants a folder, not an empty name")
                }
                dir => modes.push(Mode::Handout(dir)),
            },
            "--core" => core = true,
            "--json" => json = true,
            dir if matches!(modes.last(), Some(Mode::Grade { .. })) && !dir.starts_with('-') => {
                dirs.push(dir.to_string())
            }
            _ => args.unknown(&arg),
        }
    }
    if modes.len() > 1 {
        common::fail(
            NAME,
            "--check, --hint, --watch, --grade and --handout go alone",
        );
    }
    match (modes.pop().unwrap_or(Mode::Board), core, json) {
        (Mode::Check { .. }, core, false) => Mode::Check { core },
        (Mode::Grade { .. }, false, json) if !dirs.is_empty() => Mode::Grade { dirs, json },
        (Mode::Grade { .. }, false, _) => {
            common::fail(NAME, "--grade wants one or more student folders")
        }
        (_, true, _) => common::fail(NAME, "--core goes with --check"),
        (_, _, true) => common::fail(NAME, "--json goes with --grade"),
        (mode, false, false) => mode,
    }
}

fn main() {
    let done = match parse() {
        Mode::Hint(number) => {
            // `--hint` took a number from 1 to 9, and the nine are in order.
            say(EXERCISES[number as usize - 1].hint.trim_end());
            true
        }
        Mode::Handout(dir) => {
            common::finish(NAME, handout::handout(&dir));
            true
        }
        // The board and --watch exit 0 once they have shown the board,
        // whatever it shows.
        Mode::Board => {
            board::board();
            true
        }
        Mode::Watch => {
            board::watch();
            true
        }
        Mode::Check { core } => board::passes(&board::board(), core),
        Mode::Grade { dirs, json } => grade::grade_all(&dirs, json),
    };
    // --check reports "not all pass" in its exit status, and --grade a
    // folder it could not grade.
    if !done {
        process::exit(1);
    }
}
