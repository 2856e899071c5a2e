#!/usr/bin/env python3
"""README.md quotes no performance figure that cradle_bench did not print: every line between
README's <!-- bench summary --> and <!-- end of bench summary --> is a line of bench/RESULTS.md,
and every line between <!-- device bench summary --> and <!-- end of device bench summary --> a
line of bench/DEVICE_RESULTS.md (the 16-core machine's report). After regenerating a report,
copy its summary lines into README.md.

usage: check_readme.py SOURCE_DIR"""
import pathlib
import sys

BLOCKS = [("<!-- bench summary -->", "<!-- end of bench summary -->", "RESULTS.md"),
          ("<!-- device bench summary -->", "<!-- end of device bench summary -->", "DEVICE_RESULTS.md")]


def check(readme, begin, end, report_name):
    """The number of README's lines between `begin` and `end`; exits naming any that the report lacks."""
    report = (root / "bench" / report_name).read_text(encoding="utf-8").splitlines()
    if readme.count(begin) != 1 or readme.count(end) != 1 or readme.index(end) < readme.index(begin):
        sys.exit(f"README.md: expected one block between {begin} and {end}")
    block = [line for line in readme[readme.index(begin) + len(begin):readme.index(end)].splitlines() if line.strip()]
    if not block:
        sys.exit(f"README.md: the block after {begin} is empty")
    missing = [line for line in block if line not in report]
    if missing:
        summary = []
        if "## Summary (README.md quotes these lines)" in report:
            first = report.index("## Summary (README.md quotes these lines)") + 2
            summary = report[first:report.index("", first)]
        sys.exit(f"README.md quotes lines that bench/{report_name} does not hold:\n  " + "\n  ".join(missing) +
                 "\nthe report's summary lines, to copy into README.md:\n  " + "\n  ".join(summary))
    return len(block)


root = pathlib.Path(sys.argv[1])
readme = (root / "README.md").read_text(encoding="utf-8")
for begin, end, report_name in BLOCKS:
    print(f"README.md's {check(readme, begin, end, report_name)} lines after {begin} are in bench/{report_name}")
