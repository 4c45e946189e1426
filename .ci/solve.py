#!/usr/bin/env python3
"""Writes the reference solutions (tests/solutions/) into a copy of the
exercises, between each exercise's markers, as a student who solved them
all would have: `.ci/solve.py SOLUTIONS_DIR COPY`. For the grading stage of
`.ci/run`; not a lesson."""

import pathlib
import re
import sys


def answer_of(solution):
    """The solution file as an answer: its code without the file's own doc
    comment, and its imports from the frame written as the answer writes
    them (`use check::X`, not `use crate::exN::X`)."""
    lines = [line for line in solution.splitlines() if not line.startswith("//!")]
    text = "\n".join(lines).strip("\n") + "\n"
    return re.sub(r"use (crate|super)::ex\d::", "use check::", text)


def main(solutions, copy):
    for path in sorted(pathlib.Path(copy, "examples").glob("ex[1-9]_*.rs")):
        number = path.name[2]
        begins = f"// >>> exercise {number}: your answer begins here >>>\n"
        ends = f"// <<< exercise {number}: your answer ends here <<<\n"
        text = path.read_text()
        start = text.index(begins) + len(begins)
        end = text.index(ends)
        solution = pathlib.Path(solutions, path.name).read_text()
        path.write_text(text[:start] + answer_of(solution) + text[end:])
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
