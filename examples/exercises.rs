//! The classroom exercises' progress board.
//!
//! Checks every exercise by running `cargo run --quiet --example exN_...
//! -- --check` as a child process, so that an exercise that does not
//! compile shows as such on the board instead of breaking it. Prints the
//! board and says which exercise to do next. With `--check` it exits 0
//! only when all pass, so that a grading script can use it; without, it
//! exits 0 once it has shown the board, as every example does.
//!
//! `--hint N` prints exercise N's hint (from `docs/hints/`); `--watch`
//! re-checks the exercise you are on each time its file changes.
//!
//! Run:  cargo run --example exercises

#[path = "common/mod.rs"]
mod common;

use std::fmt::Display;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{self, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime};

const NAME: &str = "exercises";
const USAGE: &str = "\
usage: cargo run --example exercises [-- --check | --hint N | --watch]

Checks every classroom exercise (docs/exercises.md) and prints a board:
which pass, which do not yet and why, and which to do next.

  --check    the same board, then exit 0 only if all nine pass, and 1 if
             not: for grading
  --hint N   print the hint of exercise N: 1 to 9
  --watch    re-check the exercise you are on each time you save its file;
             Ctrl-C to stop
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
        hint: include_str!("../docs/hints/ex1_eof.md"),
    },
    Exercise {
        number: 2,
        example: "ex2_errno",
        title: "read an errno: 54 against 104",
        bonus: false,
        hint: include_str!("../docs/hints/ex2_errno.md"),
    },
    Exercise {
        number: 3,
        example: "ex3_except",
        title: "after the except: is the socket still usable?",
        bonus: false,
        hint: include_str!("../docs/hints/ex3_except.md"),
    },
    Exercise {
        number: 4,
        example: "ex4_retry",
        title: "a retry that reconnects",
        bonus: false,
        hint: include_str!("../docs/hints/ex4_retry.md"),
    },
    Exercise {
        number: 5,
        example: "ex5_timeout",
        title: "a timeout that arrives as WouldBlock",
        bonus: false,
        hint: include_str!("../docs/hints/ex5_timeout.md"),
    },
    Exercise {
        number: 6,
        example: "ex6_deadline",
        title: "a deadline for read_exact",
        bonus: true,
        hint: include_str!("../docs/hints/ex6_deadline.md"),
    },
    Exercise {
        number: 7,
        example: "ex7_heartbeat",
        title: "a heartbeat that notices silence",
        bonus: false,
        hint: include_str!("../docs/hints/ex7_heartbeat.md"),
    },
    Exercise {
        number: 8,
        example: "ex8_backoff",
        title: "exponential backoff with a cap",
        bonus: true,
        hint: include_str!("../docs/hints/ex8_backoff.md"),
    },
    Exercise {
        number: 9,
        example: "ex9_reuse",
        title: "send again on a fresh connection, only when safe",
        bonus: true,
        hint: include_str!("../docs/hints/ex9_reuse.md"),
    },
];

/// How long one check may take, its build included: a first build of an
/// exercise takes seconds, a check well under one.
const CHECK_LIMIT: Duration = Duration::from_secs(300);

/// How often `--watch` looks at the file's modification time.
const POLL: Duration = Duration::from_millis(300);

/// How long `--watch` keeps watching: longer than any lab.
const WATCH_LIMIT: Duration = Duration::from_secs(8 * 60 * 60);

/// Where one exercise stands.
enum Status {
    Passed,
    /// Its check failed: the FAIL line's reason.
    NotYet(String),
    /// It does not compile: the compiler's first error, and where.
    DoesNotCompile(String),
    /// The check itself did not finish normally.
    Broken(String),
}

impl Status {
    fn passed(&self) -> bool {
        matches!(self, Status::Passed)
    }
}

/// Prints a line. A closed stdout is no reason to stop or to panic: the
/// board is lost, the exit status still says it all.
fn say(line: impl Display) {
    let _ = common::try_say(format_args!("{line}"));
}

/// The folder holding Cargo.toml, where cargo must run.
const PROJECT: &str = env!("CARGO_MANIFEST_DIR");

/// The file a student edits for `exercise`.
fn source(exercise: &Exercise) -> PathBuf {
    Path::new(PROJECT).join(format!("examples/{}.rs", exercise.example))
}

/// Reads a pipe to its end (at most 1 MiB) in a thread of its own.
fn drain(pipe: Option<impl Read + Send + 'static>) -> mpsc::Receiver<String> {
    let (done, text) = mpsc::channel();
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(pipe) = pipe {
            let _ = pipe.take(1 << 20).read_to_end(&mut bytes);
        }
        let _ = done.send(String::from_utf8_lossy(&bytes).into_owned());
    });
    text
}

/// Runs one exercise's check with cargo, as the student would.
fn check(exercise: &Exercise) -> Status {
    // Cargo tells the programs it runs where it is; a plain `cargo` on the
    // PATH will do otherwise.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let child = Command::new(cargo)
        .args([
            "run",
            "--quiet",
            "--example",
            exercise.example,
            "--",
            "--check",
        ])
        .current_dir(PROJECT)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(error) => return Status::Broken(format!("could not run cargo: {error}")),
    };
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    // The pipes close when the check exits, so a bounded wait for both
    // texts is a bounded wait for the check.
    let deadline = Instant::now() + CHECK_LIMIT;
    let wait = |pipe: &mpsc::Receiver<String>| {
        pipe.recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .ok()
    };
    let (Some(out), Some(err)) = (wait(&stdout), wait(&stderr)) else {
        let _ = child.kill();
        let _ = child.wait();
        return Status::Broken(format!(
            "the check had not finished after {} s",
            CHECK_LIMIT.as_secs()
        ));
    };
    let code = child.wait().ok().and_then(|status| status.code());
    judge(exercise, code, &out, &err)
}

/// Reads a check's exit code and output.
fn judge(exercise: &Exercise, code: Option<i32>, out: &str, err: &str) -> Status {
    let fail = format!("FAIL: {}: ", exercise.example);
    if code == Some(0) && out.lines().any(|line| line.starts_with("PASS")) {
        return Status::Passed;
    }
    if let Some(reason) = out
        .lines()
        .find_map(|line| line.strip_prefix(fail.as_str()))
    {
        return Status::NotYet(reason.to_string());
    }
    if err.contains("could not compile") {
        let first = err
            .lines()
            .find(|line| line.starts_with("error"))
            .unwrap_or("error");
        let place = err
            .lines()
            .find_map(|line| line.trim_start().strip_prefix("--> "))
            .map(|place| format!(" (at {place})"))
            .unwrap_or_default();
        return Status::DoesNotCompile(format!("{first}{place}"));
    }
    let last = err
        .lines()
        .find(|line| line.contains("panicked"))
        .or_else(|| err.lines().rev().find(|line| !line.trim().is_empty()))
        .unwrap_or("no output");
    match code {
        Some(code) => Status::Broken(format!("the check exited with {code}: {last}")),
        None => Status::Broken(format!("the check was killed: {last}")),
    }
}

/// Prints one exercise's line of the board, and its reason if it does not
/// pass yet.
fn show(exercise: &Exercise, status: &Status) {
    let mark = if status.passed() { "x" } else { " " };
    let bonus = if exercise.bonus { " (bonus)" } else { "" };
    say(format_args!(
        "[{mark}] {} {:<14} {}{bonus}",
        exercise.number, exercise.example, exercise.title
    ));
    match status {
        Status::Passed => {}
        Status::NotYet(reason) => say(format_args!("      not yet: {reason}")),
        Status::DoesNotCompile(error) => say(format_args!("      does not compile: {error}")),
        Status::Broken(what) => say(format_args!("      {what}")),
    }
}

/// The first exercise that does not pass: core ones before the bonus.
fn next(statuses: &[Status]) -> Option<usize> {
    let open = |bonus: bool| {
        EXERCISES
            .iter()
            .zip(statuses)
            .position(|(exercise, status)| exercise.bonus == bonus && !status.passed())
    };
    open(false).or_else(|| open(true))
}

/// Checks every exercise, prints the board, and returns the statuses.
fn board() -> Vec<Status> {
    say("Exercises (docs/exercises.md); checking each one with cargo...");
    let statuses: Vec<Status> = EXERCISES
        .iter()
        .map(|exercise| {
            let status = check(exercise);
            show(exercise, &status);
            status
        })
        .collect();
    let passed = statuses.iter().filter(|status| status.passed()).count();
    let core = EXERCISES.iter().filter(|exercise| !exercise.bonus).count();
    let core_passed = EXERCISES
        .iter()
        .zip(&statuses)
        .filter(|(exercise, status)| !exercise.bonus && status.passed())
        .count();
    say(format_args!(
        "{passed} of {} pass ({core_passed} of the {core} core exercises).",
        EXERCISES.len()
    ));
    match next(&statuses) {
        Some(index) => {
            let exercise = &EXERCISES[index];
            say(format_args!(
                "Next: exercise {}, in examples/{}.rs. Hint: cargo run --example exercises -- --hint {}",
                exercise.number, exercise.example, exercise.number
            ));
        }
        None => say("All done."),
    }
    statuses
}

/// The file's modification time, if it can be read.
fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path)
        .and_then(|meta| meta.modified())
        .ok()
}

/// Waits until the modification time of `path` is no longer `seen`, or
/// until `until`. Returns the new time, or None if `until` came first.
fn wait_for_change(
    path: &Path,
    seen: Option<SystemTime>,
    until: Instant,
) -> Option<Option<SystemTime>> {
    while Instant::now() < until {
        thread::sleep(POLL);
        let now = modified(path);
        if now != seen {
            return Some(now);
        }
    }
    None
}

/// Checks everything, then re-checks the exercise you are on each time its
/// file changes, moving on when it passes.
fn watch() -> bool {
    let until = Instant::now() + WATCH_LIMIT;
    // Taken before each check, so that a save during a check is not missed.
    let mut seen: Vec<Option<SystemTime>> = EXERCISES
        .iter()
        .map(|exercise| modified(&source(exercise)))
        .collect();
    let mut statuses = board();
    while let Some(index) = next(&statuses) {
        let exercise = &EXERCISES[index];
        say(format_args!(
            "\nWatching examples/{}.rs: save it to check again (Ctrl-C to stop).",
            exercise.example
        ));
        let Some(changed) = wait_for_change(&source(exercise), seen[index], until) else {
            say("Stopped watching.");
            return false;
        };
        seen[index] = changed;
        let status = check(exercise);
        show(exercise, &status);
        if status.passed() {
            say(format_args!("Exercise {} passes.", exercise.number));
        }
        statuses[index] = status;
    }
    say("All exercises pass.");
    true
}

fn main() {
    let mut args = common::Args::from_env(NAME, USAGE);
    let mut hint = None;
    let mut watching = false;
    let mut grading = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--hint" => hint = Some(args.number("--hint", 1..=9)),
            "--watch" => watching = true,
            "--check" => grading = true,
            _ => args.unknown(&arg),
        }
    }
    if let Some(number) = hint {
        // `--hint` took a number from 1 to 9, and the nine are in order.
        say(EXERCISES[number as usize - 1].hint.trim_end());
        return;
    }
    let all_pass = if watching {
        watch()
    } else {
        board().iter().all(Status::passed)
    };
    // Only a grading run reports "not all pass" in its exit status: the
    // board itself ran fine either way.
    if grading && !all_pass {
        process::exit(1);
    }
}
