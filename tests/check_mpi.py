#!/usr/bin/python3
"""cradle run under mpirun (a build with CRADLE_USE_MPI), against one process.

    check_mpi.py MODE CRADLE MPIEXEC WORK_DIR SCENARIOS_DIR [REFERENCE_CRADLE]

MODE is one of
  identical  a set of three scenarios (two comparisons, their mechanical runs, drawn
             estimates) on 1, 2 and 3 ranks, and with --target-rse on 3: every dataset, and
             every attribute but those that say how the file was made (HOW_MADE: time,
             command, program revision, threads, ranks) and the timings, bit for bit as one
             process writes them; `ranks` holds the rank count; and with
             --replications-per-population 3 on 3 ranks.
  bad_input  a malformed scenario on 2 ranks: a non-zero exit, one error message, no results
             file, an existing file left as it was; the same when only rank 1 fails (a
             --max-memory that only it is given).
  resume     a run on 2 ranks killed after its second checkpoint, resumed on 3 ranks: the
             datasets of an uninterrupted run of one process.
The process of reference is REFERENCE_CRADLE (a build without MPI) when given, else CRADLE
started without mpirun (rank 0 of 1). Each mode exits 0 when everything holds; else 1, after
saying what did not.
"""
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np

# Attributes that say how a file was made, not what it holds: when, by which command and
# program revision (the reference may be built from another), on how many threads and ranks;
# and the timings.
HOW_MADE = {"created_utc", "history", "threads", "ranks", "git_revision", "source", "cradle_version"}
TIMINGS = "/runtime"
# HDF5's dimension-scale bookkeeping: object references, which differ between any two files.
REFERENCES = {"DIMENSION_LIST", "REFERENCE_LIST"}

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAILED:", what, flush=True)
    return condition


def value_key(value):
    """Something equal exactly when two read values are equal bit for bit."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "O":
            return ("object", value.shape, repr(value.tolist()))
        return (value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, np.generic):
        return (value.dtype.str, value.tobytes())
    return repr(value)


def contents(path):
    """Every dataset and every attribute of the file, by name."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out["dataset " + name] = value_key(obj[()])
            for key in obj.attrs:
                if key in REFERENCES or (obj.name == "/" and key in HOW_MADE) or obj.name == TIMINGS:
                    continue
                out["attribute " + obj.name + "@" + key] = value_key(obj.attrs[key])
        visit("/", f)
        f.visititems(visit)
    return out


def differences(reference, other):
    a, b = contents(reference), contents(other)
    check(len(a) > 100, f"{reference} holds {len(a)} datasets and attributes")
    return sorted(a.keys() ^ b.keys()) + sorted(name for name in a.keys() & b.keys() if a[name] != b[name])


def same_contents(reference, other, what):
    differing = differences(reference, other)
    check(not differing, f"{what}: differs from one process in {differing[:10]}")
    print(f"{what}: every dataset and attribute compared", flush=True)


def root_attribute(path, key):
    with h5py.File(path, "r") as f:
        return f.attrs[key]


class Runner:
    def __init__(self, cradle, mpiexec, work, reference):
        self.cradle, self.mpiexec, self.work, self.reference = cradle, mpiexec, work, reference

    def mpirun(self, ranks, args, env=None):
        """`cradle run ARGS` on `ranks` ranks."""
        return self.run(self.launch(ranks) + ["run"] + args, env)

    def launch(self, ranks):
        # --oversubscribe: more ranks than cores; --allow-run-as-root: CI runs as root.
        return [self.mpiexec, "--oversubscribe", "--allow-run-as-root", "-n", str(ranks), self.cradle]

    def alone(self, args):
        """`cradle run ARGS` in one process of the reference program."""
        return self.run([self.reference, "run"] + args)

    def run(self, command, env=None):
        full_env = dict(os.environ)
        full_env.update(env or {})
        done = subprocess.run(command, cwd=self.work, env=full_env, capture_output=True, text=True, timeout=600)
        print("$", " ".join(command), "->", done.returncode, flush=True)
        return done


def scenario_set(scenarios):
    # Three scenarios: two comparisons with their mechanical runs, five runs in all, with every
    # E-tagged figure drawn per replication (replications with plans of their own).
    return [os.path.join(scenarios, name) for name in ("xihu_baseline.toml", "xihu_current.toml", "xihu_renewed.toml")] + [
        "--sample", "1/100", "-r", "7", "--uncertain", "estimates", "-q"]


def alone_reference(runner, base, name):
    """The scenario set run by one process into `name` (in the work folder): its path, or
    None (the failure recorded) when that run fails."""
    reference = os.path.join(runner.work, name)
    done = runner.alone(base + ["-t", "2", "-o", reference])
    return reference if check(done.returncode == 0, f"one process: {done.stderr}") else None


def identical(runner, scenarios):
    base = scenario_set(scenarios)
    reference = alone_reference(runner, base, "alone.h5")
    if reference is None:
        return
    # The comparison sees a difference where there is one: another seed, on 2 ranks.
    other = os.path.join(runner.work, "other_seed.h5")
    done = runner.mpirun(2, base + ["-t", "1", "-s", "99", "-o", other])
    check(done.returncode == 0, f"another seed: {done.stderr}")
    check(any(name.startswith("dataset scenarios/xihu_current/outlay_fen") for name in differences(reference, other)),
          "another seed gives the same outlay_fen")
    for ranks in (1, 2, 3):
        out = os.path.join(runner.work, f"ranks{ranks}.h5")
        done = runner.mpirun(ranks, base + ["-t", "1", "-o", out])
        if not check(done.returncode == 0, f"{ranks} ranks: exit {done.returncode}: {done.stderr}"):
            continue
        check(done.stdout == "" and "cradle" not in done.stderr, f"{ranks} ranks, --quiet: printed {done.stdout!r} {done.stderr!r}")
        check(int(root_attribute(out, "ranks")) == ranks, f"{ranks} ranks: attribute ranks is {root_attribute(out, 'ranks')}")
        same_contents(reference, out, f"{ranks} ranks")
    # --target-rse: rank 0 decides on more batches, the others follow (to 9 replications here).
    more = ["--target-rse", "0.000001", "--max-replications", "9", "-t", "1"]
    reference = os.path.join(runner.work, "alone_rse.h5")
    out = os.path.join(runner.work, "ranks3_rse.h5")
    check(runner.alone(base + more + ["-o", reference]).returncode == 0, "--target-rse, one process")
    check(runner.mpirun(3, base + more + ["-o", out]).returncode == 0, "--target-rse, 3 ranks")
    check(int(root_attribute(out, "replications")) == 9, "--target-rse on 3 ranks: not 9 replications")
    same_contents(reference, out, "--target-rse on 3 ranks")
    # Replications sharing populations, 3 to one, whose groups the ranks' shares cut across.
    grouped = [a for a in base if a not in ("--uncertain", "estimates")] + ["--replications-per-population", "3", "-t", "1"]
    reference = os.path.join(runner.work, "alone_grouped.h5")
    out = os.path.join(runner.work, "ranks3_grouped.h5")
    check(runner.alone(grouped + ["-o", reference]).returncode == 0, "--replications-per-population 3, one process")
    check(runner.mpirun(3, grouped + ["-o", out]).returncode == 0, "--replications-per-population 3, 3 ranks")
    same_contents(reference, out, "--replications-per-population 3 on 3 ranks")
    # Without --quiet the summary is printed once, by rank 0.
    out = os.path.join(runner.work, "loud.h5")
    done = runner.mpirun(2, [a for a in base if a != "-q"] + ["-t", "1", "-o", out, "--no-progress"])
    check(done.returncode == 0, f"2 ranks, not quiet: {done.stderr}")
    check(done.stdout.count("wrote " + out) == 1, f"2 ranks: the summary printed other than once: {done.stdout[-500:]!r}")


def error_lines(done):
    return [line for line in (done.stdout + done.stderr).splitlines() if line.startswith("cradle: error")]


def bad_input(runner, scenarios):
    folder = os.path.join(runner.work, "bad")
    os.makedirs(folder, exist_ok=True)
    broken = os.path.join(folder, "xihu_current.toml")
    with open(os.path.join(scenarios, "xihu_current.toml"), encoding="utf-8") as f:
        text = f.read()
    check("\nbase = " in text, "xihu_current.toml has no base line to break")
    with open(broken, "w", encoding="utf-8") as f:
        f.write(text.replace("\nbase = ", "\nsede = 1\nbase = ", 1))
    fresh, existing = os.path.join(folder, "fresh.h5"), os.path.join(folder, "existing.h5")
    with open(existing, "w") as f:
        f.write("precious results")
    for out in (fresh, existing):
        done = runner.mpirun(2, [broken, "-r", "2", "--sample", "1/100", "-o", out])
        check(done.returncode != 0, f"malformed scenario on 2 ranks: exit {done.returncode}")
        errors = error_lines(done)
        check(len(errors) == 1, f"malformed scenario on 2 ranks: {len(errors)} error messages: {errors}")
        check(any("sede" in e and "xihu_current.toml" in e for e in errors), f"the message names neither file nor key: {errors}")
    check(not os.path.exists(fresh), "malformed scenario on 2 ranks: a results file was written")
    with open(existing) as f:
        check(f.read() == "precious results", "malformed scenario on 2 ranks: an existing file was changed")
    check(not [n for n in os.listdir(folder) if ".tmp" in n], f"temporaries left: {os.listdir(folder)}")

    # A failure on rank 1 alone (here: it may use less memory than the run needs), rank 0 being
    # fine: every rank stops, rank 0 prints rank 1's message, once.
    good = [os.path.join(scenarios, "xihu_current.toml"), "-r", "2", "--sample", "1/100", "-q", "-o", fresh]
    # mpirun's MPMD form: one command line per rank.
    done = runner.run(runner.launch(1) + ["run"] + good + [":"] + runner.launch(1)[3:] + ["run"] + good +
                      ["--max-memory", "1K"])
    check(done.returncode != 0, f"rank 1 out of memory: exit {done.returncode}")
    errors = error_lines(done)
    check(len(errors) == 1 and "memory" in errors[0], f"rank 1 out of memory: {len(errors)} error messages: {errors}")
    check(not os.path.exists(fresh), "rank 1 out of memory: a results file was written")


def resume(runner, scenarios):
    base = scenario_set(scenarios)
    reference = alone_reference(runner, base, "whole.h5")
    if reference is None:
        return
    out = os.path.join(runner.work, "resumed.h5")
    saved = out + ".checkpoint"
    checkpointed = base + ["-t", "1", "-o", out, "--checkpoint", "--checkpoint-every", "2"]
    # Rank 0 saves the checkpoints; it kills itself after the second (4 of 7 replications).
    done = runner.mpirun(2, checkpointed, env={"CRADLE_CRASH_AT": "checkpoint_written:2"})
    check(done.returncode != 0, f"the killed run exited {done.returncode}")
    check(os.path.exists(saved), "no checkpoint after the kill")
    check(not os.path.exists(out), "a results file after the kill")
    done = runner.mpirun(3, checkpointed + ["--resume"])
    if not check(done.returncode == 0, f"resumed on 3 ranks: exit {done.returncode}: {done.stderr}"):
        return
    check(not os.path.exists(saved), "the checkpoint was not removed once the results were written")
    same_contents(reference, out, "killed on 2 ranks, resumed on 3")


def main():
    if len(sys.argv) not in (6, 7):
        print(__doc__, file=sys.stderr)
        return 2
    mode = sys.argv[1]
    cradle, mpiexec, work, scenarios = (os.path.abspath(a) for a in sys.argv[2:6])
    reference = os.path.abspath(sys.argv[6]) if len(sys.argv) == 7 and sys.argv[6] else cradle
    work = os.path.join(work, mode)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    {"identical": identical, "bad_input": bad_input, "resume": resume}[mode](Runner(cradle, mpiexec, work, reference),
                                                                          scenarios)
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("all checks hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
