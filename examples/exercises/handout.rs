//! `--handout DIR`: a fresh repository for the students.
//!
//! It holds the files of this repository's last commit (`HEAD`, not the
//! working tree, so that answers the teacher tried out and did not commit
//! stay out), in one new commit with no history, without what would give
//! the answers away or only the maintainers use:
//!
//! - `tests/solutions/` (the reference solutions) and `tests/wrong/` (the
//!   wrong answers, which show what each check looks for);
//! - `docs/teaching.md`, the teacher's page;
//! - `.ci/` and `.github/`, the maintainers' CI, which would fail on a
//!   student's copy as soon as an exercise is solved.
//!
//! Every Markdown file loses the lines that name one of these, so that
//! nothing points to a file that is not there: the docs keep one sentence
//! per line for this. The code never depends on them, and `.ci/run` checks
//! that, in a hand-out, `cargo test` passes and the board shows 0 of 9.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::{PROJECT, Ran, run_bounded, say};

/// What the students' copy leaves out: files under these paths.
const LEFT_OUT: [&str; 5] = [
    "tests/solutions/",
    "tests/wrong/",
    "docs/teaching.md",
    ".ci/",
    ".github/",
];

/// How long one git command may take.
const GIT_LIMIT: Duration = Duration::from_secs(60);

/// Writes the students' repository into `dir`, which must be new or empty.
///
/// # Errors
///
/// A one-line reason: `dir` is not empty, git is missing or fails, or a
/// file cannot be written.
pub fn handout(dir: &str) -> Result<(), String> {
    let dir = Path::new(dir);
    if fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(format!("{} exists and is not empty", dir.display()));
    }
    fs::create_dir_all(dir).map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
    let written = write_all(dir);
    if written.is_err() {
        // Half a hand-out is no use, and would make the next try refuse
        // the folder: the folder was empty, so emptying it loses nothing.
        let _ = fs::remove_dir_all(dir);
    }
    let kept = written?;
    say(format_args!(
        "{}: a new repository, one commit of {kept} files, without {}",
        dir.display(),
        LEFT_OUT.join(", ")
    ));
    Ok(())
}

/// Copies HEAD's files into `dir`, the left-out ones aside, and commits
/// them; returns how many it copied.
fn write_all(dir: &Path) -> Result<usize, String> {
    let listing = git(
        Path::new(PROJECT),
        &["ls-tree", "-r", "-z", "--full-tree", "HEAD"],
    )?;
    let mut kept = 0;
    for entry in listing.split('\0').filter(|entry| !entry.is_empty()) {
        // `MODE TYPE SHA\tPATH`
        let Some((meta, path)) = entry.split_once('\t') else {
            return Err(format!("git ls-tree printed {entry:?}"));
        };
        // A file is a blob; a commit is a repository inside this one
        // (a submodule), which is not the students' to have.
        let is_file = meta.split(' ').nth(1) == Some("blob");
        if !is_file || LEFT_OUT.iter().any(|left_out| path.starts_with(left_out)) {
            continue;
        }
        copy(dir, path, meta.starts_with("100755"))?;
        kept += 1;
    }
    git(dir, &["init", "--quiet"])?;
    git(dir, &["add", "--all"])?;
    commit(dir)?;
    Ok(kept)
}

/// Copies one file of HEAD into `dir`, its Markdown cleaned.
fn copy(dir: &Path, path: &str, executable: bool) -> Result<(), String> {
    let text = git(Path::new(PROJECT), &["show", &format!("HEAD:{path}")])?;
    if text.len() as u64 >= super::KEEP {
        return Err(format!("{path} is too large to copy whole"));
    }
    let text = if path.ends_with(".md") {
        without_left_out(&text)
    } else {
        text
    };
    let target = dir.join(path);
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent)
            .map_err(|error| format!("cannot create {}: {error}", parent.display()))?;
    }
    fs::write(&target, text)
        .map_err(|error| format!("cannot write {}: {error}", target.display()))?;
    if executable {
        make_executable(&target)?;
    }
    Ok(())
}

/// `text` without its lines that name a file the copy leaves out, and
/// without the second of two blank lines that a dropped line leaves.
fn without_left_out(text: &str) -> String {
    let mut kept = String::new();
    let mut dropped = false;
    for line in text.split_inclusive('\n') {
        if LEFT_OUT.iter().any(|left_out| line.contains(left_out)) {
            dropped = true;
            continue;
        }
        if dropped && line.trim().is_empty() && (kept.is_empty() || kept.ends_with("\n\n")) {
            continue;
        }
        dropped = false;
        kept.push_str(line);
    }
    kept
}

/// Keeps a script runnable (`.ci/run` is left out, but a teacher may add
/// scripts of their own).
#[cfg(unix)]
fn make_executable(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
        .map_err(|error| format!("cannot make {} executable: {error}", path.display()))
}

/// Windows has no executable bit; git keeps it in the index instead.
#[cfg(not(unix))]
fn make_executable(_path: &Path) -> Result<(), String> {
    Ok(())
}

/// Commits everything, as the teacher if git knows who they are, and as
/// the hand-out otherwise.
fn commit(dir: &Path) -> Result<(), String> {
    let known = git(dir, &["config", "user.email"]).is_ok_and(|email| !email.trim().is_empty());
    let mut args = vec![];
    if !known {
        args.extend([
            "-c",
            "user.name=reset-by-peer hand-out",
            "-c",
            "user.email=handout@invalid",
        ]);
    }
    args.extend(["commit", "--quiet", "-m", "The exercises, for the students"]);
    git(dir, &args).map(|_| ())
}

/// Runs git in `dir`; returns what it printed.
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let mut command = Command::new("git");
    command.arg("-C").arg(dir).args(args);
    match run_bounded(command, None, GIT_LIMIT, false) {
        Ok(Ran {
            code: Some(0),
            stdout,
            ..
        }) => Ok(stdout),
        Ok(ran) => Err(format!(
            "git {} failed: {}",
            args.join(" "),
            ran.stderr.lines().next().unwrap_or("no message")
        )),
        Err(why) => Err(format!("git {}: {why} (is git installed?)", args.join(" "))),
    }
}
