//! The classroom exercises' board (`examples/exercises.rs`): its hints and
//! its command line. The exercises' checks are tested against wrong answers
//! in `tests/wrong/` and against right ones in `tests/solutions/`, tests of
//! their own, so that this file never includes a student's answer.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use assert_matches::assert_matches;

use crate::support::{self, BOUND, run_example};

// The examples' shared module, for the markers of an answer.
#[path = "../../examples/common/mod.rs"]
mod common;

#[test]
fn the_progress_command_prints_each_exercise_hint() {
    for number in 1..=9 {
        let ran = run_example("exercises", &["--hint", &number.to_string()], BOUND);
        assert_eq!(ran.status.code(), Some(0), "{}", ran.stderr);
        let title = format!("# Exercise {number}: hint\n");
        assert!(ran.stdout.starts_with(&title), "{}", ran.stdout);
        assert!(ran.stdout.lines().count() > 2, "{}", ran.stdout);
    }
}

#[test]
fn the_progress_command_refuses_a_hint_it_does_not_have() {
    for number in ["0", "10", "-1", "three"] {
        let ran = run_example("exercises", &["--hint", number], BOUND);
        assert_eq!(ran.status.code(), Some(2), "{}", ran.stderr);
        assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
        assert!(ran.stdout.is_empty(), "{}", ran.stdout);
    }
}

#[test]
fn the_progress_command_refuses_teachers_flags_used_wrongly() {
    let bad: [&[&str]; 7] = [
        &["--grade"],
        &["--grade", "--json"],
        &["--json"],
        &["--core"],
        &["--handout"],
        &["--check", "--hint", "3"],
        &["--grade", "a", "--handout", "b"],
    ];
    for args in bad {
        let ran = run_example("exercises", args, BOUND);
        assert_eq!(ran.status.code(), Some(2), "{args:?}: {}", ran.stderr);
        assert_eq!(ran.stderr.lines().count(), 1, "{args:?}: {}", ran.stderr);
        assert!(ran.stdout.is_empty(), "{args:?}: {}", ran.stdout);
    }
}

#[test]
fn the_grader_says_why_it_cannot_grade_a_folder_and_exits_1() {
    let empty = scratch("grade-empty");
    let dir = empty.0.to_str().unwrap();
    let ran = run_example("exercises", &["--grade", dir], BOUND);
    assert_eq!(ran.status.code(), Some(1), "{}", ran.stderr);
    assert_eq!(
        ran.stdout,
        format!("{dir}: cannot grade: no examples/ folder: not a copy of the exercises\n")
    );
    let ran = run_example("exercises", &["--grade", "--json", dir], BOUND);
    assert_eq!(ran.status.code(), Some(1), "{}", ran.stderr);
    let json = format!(
        "{{\"dir\":{dir:?},\"error\":\"no examples/ folder: not a copy of the exercises\"}}\n"
    );
    assert_eq!(ran.stdout, json);
}

#[test]
fn a_hand_out_refuses_a_folder_that_is_not_empty() {
    let full = scratch("handout-full");
    std::fs::write(full.0.join("notes.txt"), "mine").unwrap();
    let ran = run_example("exercises", &["--handout", full.0.to_str().unwrap()], BOUND);
    assert_eq!(ran.status.code(), Some(1), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("exists and is not empty"),
        "{}",
        ran.stderr
    );
    assert_eq!(
        std::fs::read_to_string(full.0.join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn a_hand_out_is_one_commit_without_the_answers() {
    const TEST: &str = "a_hand_out_is_one_commit_without_the_answers";
    // The hand-out runs git, a Linux program on the machine that runs Wine:
    // a Windows program there finds no git.exe to run.
    if support::skip_on_wine(TEST, "no Windows git to run") {
        return;
    }
    let project = Path::new(env!("CARGO_MANIFEST_DIR"));
    if !project.join(".git").exists() {
        // A copy downloaded without git has no HEAD to hand out.
        return skip(
            "a_hand_out_is_one_commit_without_the_answers",
            "not a git checkout",
        );
    }
    let scratch = scratch("handout");
    let dir = scratch.0.join("students");
    // A hand-out runs git once per file, a hundred processes: on a loaded
    // machine that takes seconds (past 5 s with 16 busy loops), so the bound
    // is only there for a hand-out that never ends.
    let ran = run_example(
        "exercises",
        &["--handout", dir.to_str().unwrap()],
        HANDOUT_BOUND,
    );
    assert_eq!(ran.status.code(), Some(0), "{}", ran.stderr);
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .arg("-C")
            .arg(&dir)
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(git(&["rev-list", "--count", "--all"]), "1\n");
    let files = git(&["ls-files"]);
    assert!(
        files
            .lines()
            .any(|file| file == "examples/ex7_heartbeat.rs")
    );
    let left_out = [
        "tests/solutions/",
        "tests/wrong/",
        "docs/teaching.md",
        ".ci/",
        ".github/",
    ];
    let names_left_out = |line: &str| left_out.iter().any(|path| line.contains(path));
    for file in files.lines() {
        assert!(
            !left_out.iter().any(|path| file.starts_with(path)),
            "{file}"
        );
        let ours = git_show(project, file);
        let theirs = std::fs::read_to_string(dir.join(file)).unwrap();
        if !file.ends_with(".md") {
            assert!(ours == theirs, "{file} differs from HEAD's");
            continue;
        }
        // Markdown: the same lines, but for those that name what is left out.
        let kept = |text: &str, drop: bool| -> Vec<String> {
            text.lines()
                .filter(|line| !(line.trim().is_empty() || drop && names_left_out(line)))
                .map(str::to_string)
                .collect()
        };
        assert_eq!(kept(&theirs, false), kept(&ours, true), "{file}");
    }
}

#[test]
fn an_answer_is_the_lines_between_its_two_markers() {
    let (begins, ends) = common::markers(7);
    let file = format!("// above\n  {begins}  \nfn ping() {{}}\n{ends}\nfn main() {{}}\n");
    assert_eq!(common::answer(&file, 7), Ok("fn ping() {}\n"));
    assert_matches!(common::answer(&file, 6), Err(why) if why.contains("exercise 6: your answer begins here >>>` is missing"));
    let twice = format!("{begins}\n{begins}\n{ends}\n");
    assert_matches!(common::answer(&twice, 7), Err(why) if why.contains("appears more than once"));
    let swapped = format!("{ends}\nfn ping() {{}}\n{begins}\n");
    assert_matches!(common::answer(&swapped, 7), Err(why) if why.contains("comes before"));
    let unended = format!("{begins}\nfn ping() {{}}\n");
    assert_matches!(common::answer(&unended, 7), Err(why) if why.contains("ends here <<<` is missing"));
}

/// How long a hand-out may take in a test.
const HANDOUT_BOUND: std::time::Duration = std::time::Duration::from_secs(60);

/// The file `path` as HEAD holds it in the repository at `project`.
fn git_show(project: &Path, path: &str) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(project)
        .args(["show", &format!("HEAD:{path}")])
        .output()
        .unwrap();
    assert!(out.status.success(), "git show HEAD:{path}");
    String::from_utf8(out.stdout).unwrap()
}

/// A fresh, empty folder for one test, in the system's temporary folder,
/// removed when the test is done with it.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("reset-by-peer-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

/// Says that a test was not run, and why; on CI, where it must run, fails.
fn skip(test: &str, why: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "on CI {test} must run, not skip: {why}"
    );
    let _ = writeln!(std::io::stderr(), "SKIP: {why}; {test} was not run");
}

#[test]
fn an_answers_code_is_read_as_words_and_literals_without_its_comments() {
    use common::code::{Token, tokens};
    let code = "// 110 in a comment\n/* and /* nested */ 60 */ fn f<'a>(x: &'a str) -> bool {\n    \
                x == \"timed \\\" out\" || 'n' as i32 == 0x6e || '\\n' != ' ' && r#path\n}";
    let found: Vec<Token> = tokens(code)
        .into_iter()
        .filter(|token| !matches!(token, Token::Word(_)))
        .collect();
    assert_eq!(
        found,
        [
            Token::Str("\"timed \\\" out\""),
            Token::Char("'n'"),
            Token::Number("0x6e"),
            Token::Char("'\\n'"),
            Token::Char("' '"),
        ]
    );
    let words: Vec<Token> = tokens(code)
        .into_iter()
        .filter(|token| matches!(token, Token::Word(_)))
        .collect();
    // The lifetime is no character, and `r#path` names `path`.
    assert!(words.contains(&Token::Word("path")));
    assert!(words.contains(&Token::Word("str")));
    assert!(!words.contains(&Token::Word("nested")));
}
