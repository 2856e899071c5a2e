#!/usr/bin/python3
"""Reads a results file as a researcher would: h5py for the root, xarray over
h5netcdf for each scenario group and its summary.

Usage: check_results_xarray.py CRADLE_BINARY OUT.h5

Runs `CRADLE_BINARY run -o OUT.h5 --replications 4 --seed 7` (the default
scenario), then checks the file against format 1.0 (output/FORMAT.md).
Exits 0 when every check passes, 1 with a message on the first failure.
Needs the system interpreter (/usr/bin/python3), which has h5py, xarray and
h5netcdf.
"""

import os
import subprocess
import sys

REPLICATIONS = 4
OUTLAY_DIMS = ("replication", "year", "measure", "payer")
SUMMARY_DIMS = ("year", "measure", "payer")


class CheckFailed(Exception):
    pass


def require(condition, message):
    if not condition:
        raise CheckFailed(message)


def text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def check_described(ds, where):
    # Coordinates too: the format promises units and long_name on every dataset.
    for name, var in ds.variables.items():
        for attr in ("units", "long_name"):
            require(attr in var.attrs, f"{where}: variable {name!r} lacks {attr!r}")


def check_scenario(path, scenario_id, xr, np):
    group = f"scenarios/{scenario_id}"
    with xr.open_dataset(path, group=group, engine="h5netcdf") as ds:
        check_described(ds, group)
        require("outlay" in ds.data_vars, f"{group}: no outlay variable")
        require(ds["outlay"].dims == OUTLAY_DIMS,
                f"{group}: outlay dims are {ds['outlay'].dims}, expected {OUTLAY_DIMS}")
        require(ds.sizes["replication"] == REPLICATIONS,
                f"{group}: {ds.sizes['replication']} replications, expected {REPLICATIONS}")
        require(ds["outlay"].attrs["units"] == "CNY", f"{group}: outlay units are not CNY")
        require(np.array_equal(ds["outlay"].values, ds["outlay_fen"].values / 100.0),
                f"{group}: outlay differs from outlay_fen / 100")
        outlay = ds["outlay"].load()
        years = ds["year"].values
        n_measures, n_payers = ds.sizes["measure"], ds.sizes["payer"]
        total = float(outlay.sum(("measure", "payer")).mean("replication").sum()) / 1e6

    summary_group = f"{group}/summary"
    with xr.open_dataset(path, group=summary_group, engine="h5netcdf") as summary:
        check_described(summary, summary_group)
        for name in ("outlay_mean", "outlay_p05", "outlay_p50", "outlay_p95"):
            require(name in summary.data_vars, f"{summary_group}: no {name}")
            require(summary[name].dims == SUMMARY_DIMS,
                    f"{summary_group}: {name} dims are {summary[name].dims}, expected {SUMMARY_DIMS}")
        require(np.allclose(summary["outlay_mean"].values, outlay.mean("replication").values),
                f"{summary_group}: outlay_mean is not the mean of outlay over replications")
        for q, name in ((0.05, "outlay_p05"), (0.5, "outlay_p50"), (0.95, "outlay_p95")):
            expected = outlay.quantile(q, dim="replication").values
            require(np.allclose(summary[name].values, expected),
                    f"{summary_group}: {name} differs from numpy's quantile")

    span = f"{years[0]}-{years[-1]}" if len(years) else "no years"
    print(f"scenario {scenario_id}: {REPLICATIONS} replications, years {span}, "
          f"{n_measures} measures, {n_payers} payers, outlay summed over years (mean over replications) "
          f"{total:,.2f} million CNY")


def main(argv):
    if len(argv) != 3:
        print("usage: check_results_xarray.py CRADLE_BINARY OUT.h5", file=sys.stderr)
        return 2
    binary, path = argv[1], argv[2]
    import h5py
    import numpy as np
    import xarray as xr

    # A file left from an earlier run must not pass for this one.
    if os.path.exists(path):
        os.remove(path)
    command = [binary, "run", "-o", path, "--replications", str(REPLICATIONS), "--seed", "7"]
    completed = subprocess.run(command)
    require(completed.returncode == 0,
            f"{' '.join(command)} exited with status {completed.returncode}")
    require(os.path.exists(path), f"{path} was not written")

    with h5py.File(path, "r") as f:
        filetype = text(f.attrs.get("filetype", ""))
        require(filetype == "cradle.results", f"filetype is {filetype!r}, not 'cradle.results'")
        version = f.attrs.get("format_version")
        require(version is not None and len(version) == 2, "format_version missing or not [major, minor]")
        require(int(version[0]) == 1, f"unknown major format version {int(version[0])}")
        require(int(f.attrs["replications"]) == REPLICATIONS,
                f"root replications is {f.attrs['replications']}, expected {REPLICATIONS}")
        for name in ("population_seconds", "simulation_seconds", "writing_seconds"):
            require(name in f["runtime"].attrs, f"/runtime lacks {name!r}")
        require("scenarios" in f and len(f["scenarios"]) > 0, "no scenarios in /scenarios")
        scenario_ids = list(f["scenarios"].keys())

    for scenario_id in scenario_ids:
        check_scenario(path, scenario_id, xr, np)
    print(f"{path}: format {int(version[0])}.{int(version[1])}, {len(scenario_ids)} scenario(s), all checks passed")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except CheckFailed as failure:
        print(f"check_results_xarray: FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
    except Exception as error:  # an unreadable file is a failed check, not a crash
        print(f"check_results_xarray: FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
