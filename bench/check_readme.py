#!/usr/bin/env python3
"""README.md quotes no performance figure that cradle_bench did not print: every line between
README's <!-- bench summary --> and <!-- end of bench summary --> is a line of bench/RESULTS.md.
After regenerating the report, copy its summary lines into README.md.

usage: check_readme.py SOURCE_DIR"""
import pathlib
import sys

BEGIN, END = "<!-- bench summary -->", "<!-- end of bench summary -->"

root = pathlib.Path(sys.argv[1])
readme = (root / "README.md").read_text(encoding="utf-8")
report = (root / "bench" / "RESULTS.md").read_text(encoding="utf-8").splitlines()
if readme.count(BEGIN) != 1 or readme.count(END) != 1 or readme.index(END) < readme.index(BEGIN):
    sys.exit(f"README.md: expected one block between {BEGIN} and {END}")
block = [line for line in readme[readme.index(BEGIN) + len(BEGIN):readme.index(END)].splitlines() if line.strip()]
if not block:
    sys.exit("README.md: the bench summary block is empty")
missing = [line for line in block if line not in report]
if missing:
    summary = []
    if "## Summary (README.md quotes these lines)" in report:
        start = report.index("## Summary (README.md quotes these lines)") + 2
        summary = report[start:report.index("", start)]
    sys.exit("README.md quotes lines that bench/RESULTS.md does not hold:\n  " + "\n  ".join(missing) +
             "\nthe report's summary lines, to copy into README.md:\n  " + "\n  ".join(summary))
print(f"README.md's {len(block)} bench summary lines are in bench/RESULTS.md")
