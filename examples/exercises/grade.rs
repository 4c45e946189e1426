//! `--grade DIR...`: the teacher's grader.
//!
//! From each student's folder it takes only the answers, the lines between
//! each exercise's two markers, and compiles each answer into the teacher's
//! own copy of the exercise file, against the teacher's frames
//! (`examples/checks/`) and library, in a fresh build folder per student,
//! outside the teacher's repository. A student's edits outside the markers,
//! to a check, to `main` or to the library, change nothing, and students
//! who share one `CARGO_TARGET_DIR` cannot get each other's grades.
//!
//! The exercise files declare the frame before the answer and `main` right
//! after it, so that an answer's macro cannot reach the frame, nor an
//! attribute left at its end change it; the frame itself refuses an answer
//! that names `path` or an `include` macro, which could compile in code
//! from elsewhere. All nine are compiled before any runs, and each program
//! is checked, by a keyed hash, to be the one compiled before it runs, so
//! that an answer that rewrites files while it runs cannot swap another
//! exercise's program. Each check runs as `--check --sealed`: it reads a
//! fresh random token on stdin before any answer runs, and only a verdict
//! line that carries the token counts. On Unix, each build and each check
//! runs in a process group of its own, killed when it ends.
//!
//! An answer is code, and the grader runs it, as the teacher: grade as a
//! user who may run the students' code (docs/teaching.md).

use std::collections::hash_map::RandomState;
use std::fs;
use std::hash::{BuildHasher, Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use super::common;
use super::{EXERCISES, Exercise, PROJECT, Ran, compile_error, run_bounded, shorten};

/// How long one student's build of one exercise may take: the first one
/// builds the library too, in seconds on a laptop.
const BUILD_LIMIT: Duration = Duration::from_secs(120);

/// How long a reason from a check may be, in characters.
const REASON: usize = 300;

/// How long one check may run: well under a second when it passes, a few
/// seconds at worst.
const RUN_LIMIT: Duration = Duration::from_secs(60);

/// The crate's edition, which the exercise files are written in.
const EDITION: &str = "2024";

/// The grade of one exercise.
pub enum Grade {
    Pass,
    /// Its check failed, or the answer could not be taken: why.
    Fail(String),
    /// The answer does not compile: the compiler's first error, and where.
    DoesNotCompile(String),
}

/// Grades every folder in `dirs`, one line each (or one JSON object with
/// `json`). Returns false if a folder could not be graded at all.
pub fn grade_all(dirs: &[String], json: bool) -> bool {
    // Secret to the answers: std seeds it from the system's randomness.
    let keys = RandomState::new();
    let mut all_graded = true;
    for dir in dirs {
        let line = match grade_one(Path::new(dir), &keys) {
            Ok(grades) if json => json_line(dir, &grades),
            Ok(grades) => summary_line(dir, &grades),
            Err(why) => {
                all_graded = false;
                if json {
                    format!(
                        "{{\"dir\":{},\"error\":{}}}",
                        common::json_string(dir),
                        common::json_string(&why)
                    )
                } else {
                    format!("{dir}: cannot grade: {why}")
                }
            }
        };
        // The grades are the output: a closed stdout ends the run.
        common::say!("{line}");
    }
    all_graded
}

/// Grades one student's folder: every exercise, in the table's order.
fn grade_one(dir: &Path, keys: &RandomState) -> Result<Vec<Grade>, String> {
    if !fs::symlink_metadata(dir.join("examples")).is_ok_and(|meta| meta.is_dir()) {
        return Err("no examples/ folder: not a copy of the exercises".to_string());
    }
    let build = build_folder().map_err(|error| format!("no build folder: {error}"))?;
    let grades = write_frame(&build)
        .map_err(|error| format!("cannot write the build folder: {error}"))
        .map(|()| grade_in(dir, &build, keys));
    // A fresh folder per student and per run: nothing one student's answer
    // left there reaches the next.
    let _ = fs::remove_dir_all(&build);
    grades
}

/// Compiles every answer of `dir` in `build`, then runs every check.
fn grade_in(dir: &Path, build: &Path, keys: &RandomState) -> Vec<Grade> {
    let compiled: Vec<Result<(PathBuf, u64), Grade>> = EXERCISES
        .iter()
        .map(|exercise| {
            let program = prepare(dir, build, exercise)
                .and_then(|()| compile(build, exercise.example).map_err(Grade::DoesNotCompile))?;
            let hash = fs::read(&program)
                .map(|bytes| keys.hash_one(bytes))
                .map_err(|error| Grade::Fail(format!("cannot read the program: {error}")))?;
            Ok((program, hash))
        })
        .collect();
    compiled
        .into_iter()
        .map(|compiled| match compiled {
            Ok((program, hash)) => run_sealed(&program, hash, build, keys),
            Err(grade) => grade,
        })
        .collect()
}

/// Writes the teacher's exercise file, with the student's answer in it,
/// into `build`.
fn prepare(dir: &Path, build: &Path, exercise: &Exercise) -> Result<(), Grade> {
    let file = format!("examples/{}.rs", exercise.example);
    // A link would let one student's file be another's.
    if !fs::symlink_metadata(dir.join(&file)).is_ok_and(|meta| meta.is_file()) {
        return Err(Grade::Fail(format!(
            "{file} is missing, or not a plain file"
        )));
    }
    let theirs = fs::read_to_string(dir.join(&file))
        .map_err(|error| Grade::Fail(format!("{file} cannot be read: {error}")))?;
    let ours = fs::read_to_string(Path::new(PROJECT).join(&file))
        .map_err(|error| Grade::Fail(format!("the teacher's {file}: {error}")))?;
    let graded = graded_source(&ours, &theirs, exercise.number)
        .map_err(|why| Grade::Fail(format!("{file}: {why}")))?;
    fs::write(build.join(&file), graded)
        .map_err(|error| Grade::Fail(format!("cannot write the graded {file}: {error}")))
}

/// The teacher's exercise file with its answer replaced by the student's.
fn graded_source(ours: &str, theirs: &str, number: u32) -> Result<String, String> {
    let answer = common::answer(theirs, number)?;
    let shipped = common::answer(ours, number)?;
    // `shipped` is a slice of `ours`: what comes before and after it is the
    // teacher's frame, markers included.
    let start = shipped.as_ptr() as usize - ours.as_ptr() as usize;
    let end = start + shipped.len();
    Ok(format!("{}{answer}{}", &ours[..start], &ours[end..]))
}

/// How many build folders this run has made, for their names.
static BUILDS: AtomicUsize = AtomicUsize::new(0);

/// A fresh build folder in the system's temporary folder: outside the
/// teacher's repository, so that no path an answer could write reaches the
/// teacher's files.
fn build_folder() -> io::Result<PathBuf> {
    let number = BUILDS.fetch_add(1, Ordering::Relaxed);
    let build = std::env::temp_dir().join(format!(
        "reset-by-peer-grade-{}-{number}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&build);
    fs::create_dir_all(build.join("examples/checks"))?;
    fs::create_dir_all(build.join("examples/common"))?;
    fs::create_dir_all(build.join("run"))?;
    Ok(build)
}

/// Writes the package around the answers: a manifest that depends on the
/// teacher's library, and the teacher's frames and shared modules.
fn write_frame(build: &Path) -> io::Result<()> {
    let project = PROJECT.replace('\\', "\\\\").replace('"', "\\\"");
    let manifest = format!(
        "# Written by `cargo run --example exercises -- --grade`: one student's\n\
         # answers, compiled against the teacher's frames and library.\n\
         [package]\nname = \"graded-answers\"\nversion = \"0.0.0\"\n\
         edition = \"{EDITION}\"\npublish = false\n\n\
         [dependencies]\nreset-by-peer = {{ path = \"{project}\" }}\n\n\
         # A package of its own, whatever folder it sits in.\n[workspace]\n"
    );
    fs::write(build.join("Cargo.toml"), manifest)?;
    for folder in ["examples/common", "examples/checks"] {
        for entry in fs::read_dir(Path::new(PROJECT).join(folder))? {
            let path = entry?.path();
            if path.extension().is_some_and(|extension| extension == "rs") {
                let name = path.file_name().unwrap_or_default();
                fs::copy(&path, build.join(folder).join(name))?;
            }
        }
    }
    Ok(())
}

/// Builds one exercise; returns its program, or the compiler's first error.
fn compile(build: &Path, example: &str) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target = build.join("target");
    let mut command = Command::new(cargo);
    command
        .args(["build", "--quiet", "--offline", "--example", example])
        .arg("--manifest-path")
        .arg(build.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        // Thirty students' builds add up: no incremental state, kept only
        // for rebuilding faster, and no debug info (a panic's file and line
        // need none).
        .env("CARGO_INCREMENTAL", "0")
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .current_dir(build);
    match run_bounded(command, None, BUILD_LIMIT, true) {
        Ok(Ran { code: Some(0), .. }) => Ok(target
            .join("debug/examples")
            .join(format!("{example}{}", std::env::consts::EXE_SUFFIX))),
        Ok(ran) => Err(compile_error(&ran.stderr)),
        Err(why) => Err(format!("the build: {why}")),
    }
}

/// Runs one check, sealed, and reads its verdict; first makes sure the
/// program is the one compiled (`hash`, keyed with `keys`).
fn run_sealed(program: &Path, hash: u64, build: &Path, keys: &RandomState) -> Grade {
    if !fs::read(program).is_ok_and(|bytes| keys.hash_one(bytes) == hash) {
        return Grade::Fail(
            "the program changed between its build and its run: an answer rewrote it".to_string(),
        );
    }
    let token = token();
    let mut command = Command::new(program);
    command
        .args(["--check", "--sealed"])
        .current_dir(build.join("run"));
    let ran = match run_bounded(command, Some(format!("{token}\n")), RUN_LIMIT, true) {
        Ok(ran) => ran,
        Err(why) => return Grade::Fail(format!("the check: {why}")),
    };
    let verdict = format!("VERDICT {token} ");
    match ran
        .stdout
        .lines()
        .find_map(|line| line.strip_prefix(verdict.as_str()))
    {
        Some("PASS") => Grade::Pass,
        Some(failed) => Grade::Fail(shorten(
            failed.strip_prefix("FAIL ").unwrap_or(failed),
            REASON,
        )),
        None => Grade::Fail(format!(
            "the check ended without its verdict (exit status {}): the answer ended the program{}",
            ran.code.map_or("none".to_string(), |code| code.to_string()),
            ran.stdout
                .lines()
                .find(|line| line.starts_with("panicked"))
                .map(|line| format!("; it {}", shorten(line, REASON)))
                .unwrap_or_default()
        )),
    }
}

/// A fresh token that an answer cannot guess: std seeds every
/// `RandomState` from the operating system's randomness.
fn token() -> String {
    let mut hasher = RandomState::new().build_hasher();
    SystemTime::now().hash(&mut hasher);
    std::process::id().hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// How many core and bonus exercises pass.
fn counts(grades: &[Grade]) -> ((usize, usize), (usize, usize)) {
    let count = |bonus: bool| {
        let of = EXERCISES.iter().filter(|e| e.bonus == bonus).count();
        let passed = EXERCISES
            .iter()
            .zip(grades)
            .filter(|(e, grade)| e.bonus == bonus && matches!(grade, Grade::Pass))
            .count();
        (passed, of)
    };
    (count(false), count(true))
}

/// `DIR: core N/6, bonus M/3`.
fn summary_line(dir: &str, grades: &[Grade]) -> String {
    let ((core, core_of), (bonus, bonus_of)) = counts(grades);
    format!("{dir}: core {core}/{core_of}, bonus {bonus}/{bonus_of}")
}

/// One JSON object: the folder, the counts, and each exercise's grade.
fn json_line(dir: &str, grades: &[Grade]) -> String {
    let ((core, core_of), (bonus, bonus_of)) = counts(grades);
    let exercises: Vec<String> = EXERCISES
        .iter()
        .zip(grades)
        .map(|(exercise, grade)| {
            let (result, reason) = match grade {
                Grade::Pass => ("PASS", None),
                Grade::Fail(why) => ("FAIL", Some(why)),
                Grade::DoesNotCompile(error) => ("does not compile", Some(error)),
            };
            let reason = reason
                .map(|why| format!(",\"reason\":{}", common::json_string(why)))
                .unwrap_or_default();
            format!(
                "{{\"exercise\":{},\"example\":{},\"bonus\":{},\"result\":{}{reason}}}",
                exercise.number,
                common::json_string(exercise.example),
                exercise.bonus,
                common::json_string(result)
            )
        })
        .collect();
    format!(
        "{{\"dir\":{},\"core\":{core},\"core_of\":{core_of},\"bonus\":{bonus},\"bonus_of\":{bonus_of},\"exercises\":[{}]}}",
        common::json_string(dir),
        exercises.join(",")
    )
}
