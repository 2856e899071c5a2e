#!/usr/bin/python3
"""Runs what the documentation tells a researcher to run, against a small run.

Usage: check_examples.py CRADLE_BINARY SOURCE_DIR WORK_DIR

In WORK_DIR (emptied first) it runs `CRADLE_BINARY run SOURCE_DIR/scenarios/sets/xihu_levers.toml
-r 3 --sample 1/100` without -o, so the file is xihu_levers.h5 by the default name; then
output/examples/read_results.py on it, which must exit 0 and write a non-empty PNG; then the
```python block of README.md that opens that file, which must exit 0 and print something.
Exits 0 when all pass, 1 with a message otherwise. Needs /usr/bin/python3 with xarray,
h5netcdf, h5py and matplotlib (.ci/install-deps).
"""

import os
import re
import shutil
import subprocess
import sys


def fail(message):
    print(f"check_examples: {message}", file=sys.stderr)
    sys.exit(1)


def run(args, cwd, what):
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, encoding="utf-8")
    if done.returncode != 0:
        fail(f"{what} exited {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}")
    return done.stdout


def readme_block(source_dir):
    """The README's ```python block that reads a results file with xarray."""
    with open(os.path.join(source_dir, "README.md"), encoding="utf-8") as f:
        blocks = re.findall(r"```python\n(.*?)```", f.read(), flags=re.S)
    blocks = [b for b in blocks if "xr.open_dataset" in b]
    if len(blocks) != 1:
        fail(f"README.md holds {len(blocks)} python blocks that open a results file, expected 1")
    return blocks[0]


def main():
    if len(sys.argv) != 4:
        fail("usage: check_examples.py CRADLE_BINARY SOURCE_DIR WORK_DIR")
    cradle, source_dir, work = (os.path.abspath(a) for a in sys.argv[1:])
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    scenario = os.path.join(source_dir, "scenarios", "sets", "xihu_levers.toml")
    run([cradle, "run", scenario, "-r", "3", "--sample", "1/100", "--quiet"], work, "cradle run")
    results = os.path.join(work, "xihu_levers.h5")
    if not os.path.isfile(results):
        fail(f"cradle run without -o did not write {results}")

    png = os.path.join(work, "outlay.png")
    script = os.path.join(source_dir, "output", "examples", "read_results.py")
    out = run([sys.executable, script, results, png, "--scenario", "xihu_current"], work, "read_results.py")
    if not os.path.isfile(png) or os.path.getsize(png) == 0:
        fail(f"read_results.py wrote no figure {png}")
    with open(png, "rb") as f:
        if f.read(8) != b"\x89PNG\r\n\x1a\n":
            fail(f"{png} is not a PNG")
    for expected in ("万元", "江西省", "total outlay", "CF-1.10"):
        if expected not in out:
            fail(f"read_results.py printed no {expected!r}:\n{out}")

    block = os.path.join(work, "readme_block.py")
    with open(block, "w", encoding="utf-8") as f:
        f.write(readme_block(source_dir))
    out = run([sys.executable, block], work, "README.md's python block")
    if len(out.strip().splitlines()) < 5:
        fail(f"README.md's python block printed too little:\n{out}")
    print("examples ok")


if __name__ == "__main__":
    main()
