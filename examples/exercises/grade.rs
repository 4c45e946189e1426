//! `--grade DIR...`: the teacher's grader.
//!
//! From each student's folder it takes only the answers, the lines between
//! each exercise's two markers, and compiles each answer into the teacher's
//! own copy of the exercise file, against the teacher's frames
//! (`examples/checks/`) and library, in a build folder of its own per
//! student. A student's edits outside the markers, to a check, to `main` or
//! to the library, change nothing, and students who share one
//! `CARGO_TARGET_DIR` cannot get each other's grades.
//!
//! Each check runs as `--check --sealed`: it reads a fresh random token on
//! stdin before any answer runs, and only a verdict line that carries the
//! token counts. An answer that prints `PASS`, or ends the program with
//! status 0, earns nothing. An answer is code, and the grader runs it:
//! grade as a user who may run the students' code.

use std::collections::hash_map::RandomState;
use std::fs;
use std::hash::{BuildHasher, Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use super::common;
use super::{EXERCISES, Exercise, PROJECT, Ran, compile_error, run_bounded};

/// How long one student's build of one exercise may take: the first one
/// builds the library too.
const BUILD_LIMIT: Duration = Duration::from_secs(600);

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
    let mut all_graded = true;
    for dir in dirs {
        let line = match grade_one(Path::new(dir)) {
            Ok(grades) if json => json_line(dir, &grades),
            Ok(grades) => summary_line(dir, &grades),
            Err(why) => {
                all_graded = false;
                if json {
                    format!("{{\"dir\":{},\"error\":{}}}", quoted(dir), quoted(&why))
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
fn grade_one(dir: &Path) -> Result<Vec<Grade>, String> {
    if !dir.join("examples").is_dir() {
        return Err("no examples/ folder: not a copy of the exercises".to_string());
    }
    let build = build_folder(dir).map_err(|error| format!("no build folder: {error}"))?;
    write_frame(&build).map_err(|error| format!("cannot write the build folder: {error}"))?;
    Ok(EXERCISES
        .iter()
        .map(|exercise| grade_exercise(dir, &build, exercise))
        .collect())
}

/// Takes one answer, compiles it against the teacher's frame, and runs the
/// teacher's check on it.
fn grade_exercise(dir: &Path, build: &Path, exercise: &Exercise) -> Grade {
    let file = format!("examples/{}.rs", exercise.example);
    let Ok(theirs) = fs::read_to_string(dir.join(&file)) else {
        return Grade::Fail(format!("{file} is missing or unreadable"));
    };
    let Ok(ours) = fs::read_to_string(Path::new(PROJECT).join(&file)) else {
        return Grade::Fail(format!("the teacher's {file} is missing"));
    };
    let graded = match graded_source(&ours, &theirs, exercise.number) {
        Ok(graded) => graded,
        Err(why) => return Grade::Fail(format!("{file}: {why}")),
    };
    if let Err(error) = write_if_changed(&build.join(&file), &graded) {
        return Grade::Fail(format!("cannot write the graded {file}: {error}"));
    }
    match compile(build, exercise.example) {
        Ok(program) => run_sealed(&program, build),
        Err(error) => Grade::DoesNotCompile(error),
    }
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

/// Where one student's answers are built: under the teacher's target
/// folder, named after the student's folder, so that grading the same
/// folder again reuses its build.
fn build_folder(dir: &Path) -> io::Result<PathBuf> {
    let dir = dir.canonicalize()?;
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(PROJECT).join("target"));
    let name: String = dir
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(40)
        .collect();
    // Two folders of the same name elsewhere get different builds.
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    dir.hash(&mut hasher);
    let build = base
        .join("grade")
        .join(format!("{name}-{:016x}", hasher.finish()));
    fs::create_dir_all(build.join("examples/checks"))?;
    fs::create_dir_all(build.join("examples/common"))?;
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
    write_if_changed(&build.join("Cargo.toml"), &manifest)?;
    for folder in ["examples/common", "examples/checks"] {
        for entry in fs::read_dir(Path::new(PROJECT).join(folder))? {
            let path = entry?.path();
            if path.extension().is_some_and(|extension| extension == "rs") {
                let name = path.file_name().unwrap_or_default();
                write_if_changed(&build.join(folder).join(name), &fs::read_to_string(&path)?)?;
            }
        }
    }
    Ok(())
}

/// Writes `text` unless the file already holds it, so that cargo, which
/// goes by modification times, rebuilds only what changed.
fn write_if_changed(path: &Path, text: &str) -> io::Result<()> {
    if fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    fs::write(path, text)
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
    match run_bounded(command, None, BUILD_LIMIT) {
        Ok(Ran { code: Some(0), .. }) => Ok(target
            .join("debug/examples")
            .join(format!("{example}{}", std::env::consts::EXE_SUFFIX))),
        Ok(ran) => Err(compile_error(&ran.stderr)),
        Err(why) => Err(why),
    }
}

/// Runs one check, sealed, and reads its verdict.
fn run_sealed(program: &Path, build: &Path) -> Grade {
    let token = token();
    let mut command = Command::new(program);
    command.args(["--check", "--sealed"]).current_dir(build);
    let ran = match run_bounded(command, Some(format!("{token}\n")), RUN_LIMIT) {
        Ok(ran) => ran,
        Err(why) => return Grade::Fail(why),
    };
    let verdict = format!("VERDICT {token} ");
    match ran
        .stdout
        .lines()
        .find_map(|line| line.strip_prefix(verdict.as_str()))
    {
        Some("PASS") => Grade::Pass,
        Some(failed) => Grade::Fail(failed.strip_prefix("FAIL ").unwrap_or(failed).to_string()),
        None => Grade::Fail(format!(
            "the check ended without its verdict (exit status {}): the answer ended the program{}",
            ran.code.map_or("none".to_string(), |code| code.to_string()),
            ran.stdout
                .lines()
                .find(|line| line.starts_with("panicked"))
                .map(|line| format!("; it {line}"))
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
                .map(|why| format!(",\"reason\":{}", quoted(why)))
                .unwrap_or_default();
            format!(
                "{{\"exercise\":{},\"example\":{},\"bonus\":{},\"result\":{}{reason}}}",
                exercise.number,
                quoted(exercise.example),
                exercise.bonus,
                quoted(result)
            )
        })
        .collect();
    format!(
        "{{\"dir\":{},\"core\":{core},\"core_of\":{core_of},\"bonus\":{bonus},\"bonus_of\":{bonus_of},\"exercises\":[{}]}}",
        quoted(dir),
        exercises.join(",")
    )
}

/// `text` as a JSON string: quotes, backslashes and control characters
/// escaped (RFC 8259, section 7).
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
