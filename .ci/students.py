#!/usr/bin/env python3
"""Makes the students' copies that `.ci/classroom` grades; not a lesson.

    .ci/students.py solve SOLUTIONS_DIR COPY
        writes the reference solutions (tests/solutions/) into COPY, between
        each exercise's markers, as a student who solved them all would;
    .ci/students.py tamper COPY SOLUTIONS_DIR SOLVED_COPY
        cheats, each exercise its own way, none by solving it: exercise 1's
        `main` prints PASS without checking; exercise 2's check passes
        everything; exercise 3's answer prints a verdict of its own and ends
        the program with status 0; exercise 4's answer compiles in the
        teacher's solution with `#[path]`; exercise 5's answer defines a
        `format!` that turns FAIL into PASS; exercise 6's answer ends with
        `#[cfg(any())]`, to remove what follows; exercise 7's file is a link
        to a classmate's solved one.
"""

import pathlib
import re
import sys


def markers(number):
    return (f"// >>> exercise {number}: your answer begins here >>>\n",
            f"// <<< exercise {number}: your answer ends here <<<\n")


def replace_answer(path, answer):
    begins, ends = markers(path.name[2])
    text = path.read_text()
    start = text.index(begins) + len(begins)
    end = text.index(ends)
    path.write_text(text[:start] + answer + text[end:])


def answer_of(solution):
    """A solution file as an answer: its code without the file's own doc
    comment, its imports from the frame written as an answer writes them
    (`use check::X`, not `use crate::exN::X`)."""
    lines = [line for line in solution.splitlines() if not line.startswith("//!")]
    text = "\n".join(lines).strip("\n") + "\n"
    return re.sub(r"use (crate|super)::ex\d::", "use check::", text)


def solve(solutions, copy):
    for path in sorted(pathlib.Path(copy, "examples").glob("ex[1-9]_*.rs")):
        replace_answer(path, answer_of(pathlib.Path(solutions, path.name).read_text()))


def edit(path, old, new):
    text = path.read_text()
    if old not in text:
        raise SystemExit(f"{path}: {old!r} not found")
    path.write_text(text.replace(old, new, 1))


def tamper(copy, solutions, solved):
    examples = pathlib.Path(copy, "examples")
    ex1 = examples / "ex1_eof.rs"
    ex1.write_text(re.sub(r"fn main\(\) \{.*?\n\}\n", 'fn main() {\n    println!("PASS: ex1_eof");\n}\n',
                          ex1.read_text(), flags=re.S))
    edit(examples / "checks" / "ex2_errno.rs", "pub fn check(same: SameError) -> Result<(), String> {",
         "pub fn check(same: SameError) -> Result<(), String> {\n    if same as usize != 0 {\n        return Ok(());\n    }")
    replace_answer(examples / "ex3_except.rs",
                   "use std::io;\n\npub fn still_usable(_error: &io::Error) -> bool {\n"
                   '    println!("PASS: ex3_except");\n    println!("VERDICT 0123456789abcdef PASS");\n'
                   "    std::process::exit(0)\n}\n")
    teachers = pathlib.Path(solutions, "ex4_retry.rs").resolve()
    replace_answer(examples / "ex4_retry.rs",
                   f'#[path = "{teachers}"]\nmod teachers;\npub use teachers::ask_with_retries;\n')
    starter = answer_in(examples / "ex5_timeout.rs")
    replace_answer(examples / "ex5_timeout.rs", FORMAT_PASS + starter)
    starter = answer_in(examples / "ex6_deadline.rs")
    replace_answer(examples / "ex6_deadline.rs", starter + "#[cfg(any())]\n")
    ex7 = examples / "ex7_heartbeat.rs"
    ex7.unlink()
    ex7.symlink_to(pathlib.Path(solved, "examples", "ex7_heartbeat.rs").resolve())


def answer_in(path):
    begins, ends = markers(path.name[2])
    text = path.read_text()
    return text[text.index(begins) + len(begins):text.index(ends)]


# A `format!` of the answer's own, which would turn the frame's
# `VERDICT TOKEN FAIL ...` into `VERDICT TOKEN PASS` if the frame could see it.
FORMAT_PASS = """macro_rules! format {
    ($($t:tt)*) => {{
        let s: ::std::string::String = ::std::format!($($t)*);
        match s.split(' ').collect::<::std::vec::Vec<_>>().as_slice() {
            [v, token, f, ..] if *v == stringify!(VERDICT) && *f == stringify!(FAIL) => {
                ::std::format!("{} {} {}", v, token, stringify!(PASS))
            }
            _ => s,
        }
    }};
}
"""


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"solve": solve, "tamper": tamper}[command](*args)
