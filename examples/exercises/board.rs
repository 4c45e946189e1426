//! The board: every exercise checked as the student checks it, with
//! cargo, one line each, and the next one to do; and `--watch`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use super::{EXERCISES, Exercise, PROJECT, Ran, compile_error, run_bounded, say, shorten};

/// How long a reason on the board may be, in characters.
const REASON: usize = 300;

/// How long one check may take, its build included: a first build of an
/// exercise takes seconds, a check well under one.
const CHECK_LIMIT: Duration = Duration::from_secs(300);

/// How often `--watch` looks at the file's modification time.
const POLL: Duration = Duration::from_millis(300);

/// How long `--watch` keeps watching: longer than any lab.
const WATCH_LIMIT: Duration = Duration::from_secs(8 * 60 * 60);

/// Where one exercise stands.
pub enum Status {
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

/// The file a student edits for `exercise`.
fn source(exercise: &Exercise) -> PathBuf {
    Path::new(PROJECT).join(format!("examples/{}.rs", exercise.example))
}

/// Runs one exercise's check with cargo, as the student would.
fn check(exercise: &Exercise) -> Status {
    // Cargo tells the programs it runs where it is; a plain `cargo` on the
    // PATH will do otherwise.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(["run", "--quiet", "--example", exercise.example])
        .args(["--", "--check"])
        .current_dir(PROJECT);
    match run_bounded(command, None, CHECK_LIMIT, false) {
        Ok(ran) => judge(exercise, &ran),
        Err(why) => Status::Broken(format!("the check: {why}")),
    }
}

/// Reads a check's exit code and output.
fn judge(exercise: &Exercise, ran: &Ran) -> Status {
    let fail = format!("FAIL: {}: ", exercise.example);
    if ran.code == Some(0) && ran.stdout.lines().any(|line| line.starts_with("PASS")) {
        return Status::Passed;
    }
    if let Some(reason) = ran
        .stdout
        .lines()
        .find_map(|line| line.strip_prefix(fail.as_str()))
    {
        return Status::NotYet(shorten(reason, REASON));
    }
    if ran.stderr.contains("could not compile") {
        return Status::DoesNotCompile(compile_error(&ran.stderr));
    }
    let last = ran
        .stderr
        .lines()
        .find(|line| line.contains("panicked"))
        .or_else(|| {
            ran.stderr
                .lines()
                .rev()
                .find(|line| !line.trim().is_empty())
        })
        .unwrap_or("no output");
    let last = shorten(last, REASON);
    match ran.code {
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
pub fn board() -> Vec<Status> {
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
pub fn watch() -> bool {
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

/// Whether the board passes: all nine exercises, or with `core` the six
/// core ones.
pub fn passes(statuses: &[Status], core: bool) -> bool {
    EXERCISES
        .iter()
        .zip(statuses)
        .all(|(exercise, status)| (core && exercise.bonus) || status.passed())
}
