#!/usr/bin/python3
"""Reads a results file as a researcher would: h5py for the root, xarray over
h5netcdf for each scenario group and its summary.

Usage: check_results_xarray.py CRADLE_BINARY OUT.h5
       check_results_xarray.py --file FILE.h5 [FILE.h5 ...]

The first form runs `CRADLE_BINARY run -o OUT.h5 --replications 4 --seed 7`
(the default scenario) and checks the file it writes, then runs Xihu's baseline
and current package as a set, 6 replications 3 to a base population, and checks
the comparison's standard errors against its own cluster-robust computation from
the replications; the second checks files
already written (tests/test_output.cpp uses it on synthetic files, including
ones with zero-length axes). Files are checked against format 1.x with x >= 1
(output/FORMAT.md). Exits 0 when every check passes, 1 with a message on the
first failure; with --file, 77 (skipped) when h5py or xarray cannot be
imported. Needs the system interpreter (/usr/bin/python3), which has h5py,
xarray and h5netcdf.
"""

import os
import subprocess
import sys
import warnings

REPLICATIONS = 4
SKIPPED = 77
OUTLAY_DIMS = ("replication", "year", "measure", "payer")
SUMMARY_DIMS = ("year", "measure", "payer")
LEDGER_KINDS = {"insurance_fund", "tax_expenditure", "provident_fund", "leave"}
STATISTICS = ((None, "mean"), (0.05, "p05"), (0.5, "p50"), (0.95, "p95"))


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


def check_variable(ds, where, name, dims, units, dtype=None):
    require(name in ds.variables, f"{where}: no {name}")
    var = ds[name]
    require(var.dims == dims, f"{where}: {name} dims are {var.dims}, expected {dims}")
    require(var.attrs.get("units") == units, f"{where}: {name} units are {var.attrs.get('units')!r}, expected {units!r}")
    if dtype is not None:
        require(var.dtype == dtype, f"{where}: {name} is {var.dtype}, expected {dtype}")
    return var


def check_labels(ds, where, dim, labels, data_name):
    """The label variables along `dim` are coordinates of it, and of the data variable `data_name`."""
    for label in labels:
        require(label in ds.coords, f"{where}: {label} is not a coordinate")
        require(ds[label].dims == (dim,), f"{where}: {label} dims are {ds[label].dims}, expected ({dim!r},)")
        require(label in ds[data_name].coords, f"{where}: {label} is not a coordinate of {data_name}")
        # xarray moves the variable's own netCDF `coordinates` attribute into its encoding.
        listed = ds[data_name].encoding.get("coordinates", "").split()
        require(label in listed, f"{where}: {data_name}'s coordinates attribute does not list {label}")


def quantile(array, q, np):
    """Mean or quantile over replication (axis 0), NaN where every replication is NaN, as the writer does."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices: a zero budget
        if array.size == 0:  # a zero-length axis: nothing to reduce, an empty result
            return np.zeros(array.shape[1:])
        return np.nanmean(array, axis=0) if q is None else np.nanquantile(array, q, axis=0)


def check_statistics(summary, where, name, raw, dims, units, np):
    for q, suffix in STATISTICS:
        var = check_variable(summary, where, f"{name}_{suffix}", dims, units)
        require(np.allclose(var.values, quantile(raw, q, np), rtol=1e-12, atol=0, equal_nan=True),
                f"{where}: {name}_{suffix} is not the {suffix} of {name} over replications")


def check_format_1_1(ds, group, np):
    """The datasets format 1.1 added to a scenario group; returns a short description for the log."""
    check_labels(ds, group, "payer", ("payer_level", "payer_name"), "outlay")
    check_variable(ds, group, "kindergarten_enrolled", ("replication", "year"), "children", np.float64)
    check_variable(ds, group, "net_migration", ("replication", "year"), "persons", np.int64)

    budget = check_variable(ds, group, "budget", ("year", "payer"), "CNY", np.float64)
    budget_outlay = check_variable(ds, group, "budget_outlay", ("replication", "year", "payer"), "CNY", np.float64)
    share = check_variable(ds, group, "budget_share", ("replication", "year", "payer"), "1", np.float64)
    check_labels(ds, group, "payer", ("payer_level", "payer_name"), "budget_share")
    # budget_outlay sums the exact fen over measures; budget_share divides those fen by the budget's.
    outlay_fen = ds["outlay_fen"].values.astype(np.int64)
    sum_fen = outlay_fen.sum(axis=2)
    require(np.array_equal(budget_outlay.values, sum_fen / 100.0),
            f"{group}: budget_outlay is not outlay_fen summed over measure / 100")
    budget_fen = np.rint(budget.values * 100.0).astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(budget_fen > 0, sum_fen / budget_fen.astype(np.float64), np.nan)
    require(np.array_equal(share.values, expected, equal_nan=True),
            f"{group}: budget_share is not budget_outlay_fen / budget_fen (NaN where the budget is 0)")
    require(np.allclose(share.values, budget_outlay.values / np.where(budget.values > 0, budget.values, np.nan),
                        rtol=1e-12, atol=0, equal_nan=True),
            f"{group}: budget_share is not budget_outlay / budget")

    slots = check_variable(ds, group, "childcare_slots", ("year",), "places", np.int64)
    persons = check_variable(ds, group, "persons", ("year",), "persons", np.int64)
    per_1000 = check_variable(ds, group, "slots_per_1000", ("year",), "places per 1000 residents", np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(persons.values > 0, slots.values * 1000.0 / persons.values, np.nan)
    require(np.allclose(per_1000.values, expected, rtol=1e-12, atol=0, equal_nan=True),
            f"{group}: slots_per_1000 is not childcare_slots * 1000 / persons")

    ledger_dims = ("replication", "year", "ledger_measure")
    amount = check_variable(ds, group, "ledger_amount", ledger_dims, "CNY", np.float64)
    amount_fen = check_variable(ds, group, "ledger_amount_fen", ledger_dims, "fen", np.int64)
    check_variable(ds, group, "ledger_caseload", ledger_dims, "1", np.int64)
    check_labels(ds, group, "ledger_measure", ("ledger_kind", "ledger_title", "ledger_source", "ledger_caseload_unit"),
                 "ledger_amount")
    require(np.array_equal(amount.values, amount_fen.values / 100.0),
            f"{group}: ledger_amount differs from ledger_amount_fen / 100")
    for name in ("ledger_amount", "ledger_amount_fen"):
        require("NOT general public budget" in ds[name].attrs["long_name"],
                f"{group}: {name}'s long_name does not say it is not budget outlay")
    kinds = {text(k) for k in ds["ledger_kind"].values}
    require(kinds <= LEDGER_KINDS, f"{group}: unknown ledger kinds {sorted(kinds - LEDGER_KINDS)}")
    ledger_ids = {text(m) for m in ds["ledger_measure"].values}
    budget_ids = {text(m) for m in ds["measure"].values}
    require(not ledger_ids & budget_ids, f"{group}: {sorted(ledger_ids & budget_ids)} on both measure axes")
    return {
        "budget_outlay": budget_outlay.values,
        "budget_share": share.values,
        "ledger_amount": amount.values,
        "ledgers": ds.sizes["ledger_measure"],
    }


def check_scenario(path, scenario_id, replications, xr, np):
    group = f"scenarios/{scenario_id}"
    with xr.open_dataset(path, group=group, engine="h5netcdf") as ds:
        check_described(ds, group)
        require("outlay" in ds.data_vars, f"{group}: no outlay variable")
        require(ds["outlay"].dims == OUTLAY_DIMS,
                f"{group}: outlay dims are {ds['outlay'].dims}, expected {OUTLAY_DIMS}")
        require(ds.sizes["replication"] == replications,
                f"{group}: {ds.sizes['replication']} replications, expected {replications}")
        require(ds["outlay"].attrs["units"] == "CNY", f"{group}: outlay units are not CNY")
        require(np.array_equal(ds["outlay"].values, ds["outlay_fen"].values / 100.0),
                f"{group}: outlay differs from outlay_fen / 100")
        outlay = ds["outlay"].load()
        years = ds["year"].values
        n_measures, n_payers = ds.sizes["measure"], ds.sizes["payer"]
        total = float(outlay.sum(("measure", "payer")).mean("replication").sum()) / 1e6
        raw = check_format_1_1(ds, group, np)

    summary_group = f"{group}/summary"
    with xr.open_dataset(path, group=summary_group, engine="h5netcdf") as summary:
        check_described(summary, summary_group)
        check_statistics(summary, summary_group, "outlay", outlay.values, SUMMARY_DIMS, "CNY", np)
        check_labels(summary, summary_group, "payer", ("payer_level", "payer_name"), "budget_share_mean")
        check_labels(summary, summary_group, "ledger_measure",
                     ("ledger_kind", "ledger_title", "ledger_source", "ledger_caseload_unit"), "ledger_amount_mean")
        for name, units in (("budget_outlay", "CNY"), ("budget_share", "1")):
            check_statistics(summary, summary_group, name, raw[name], ("year", "payer"), units, np)
        check_statistics(summary, summary_group, "ledger_amount", raw["ledger_amount"], ("year", "ledger_measure"),
                         "CNY", np)

    span = f"{years[0]}-{years[-1]}" if len(years) else "no years"
    print(f"scenario {scenario_id}: {replications} replications, years {span}, "
          f"{n_measures} measures, {n_payers} payers, {raw['ledgers']} ledger measures, outlay summed over years "
          f"(mean over replications) {total:,.2f} million CNY")


def check_base_population(path, xr, np):
    """Format 1.2: households by each attribute sum to the root count and match the profile within 1 %."""
    with xr.open_dataset(path, engine="h5netcdf") as root:
        households = int(root.attrs["households"])
    with xr.open_dataset(path, group="base_population", engine="h5netcdf") as ds:
        margins = [name[len("households_by_"):] for name in ds.data_vars if name.startswith("households_by_")]
        require(len(margins) >= 7, f"base_population has only {margins}")
        for m in margins:
            counts = check_variable(ds, "base_population", f"households_by_{m}", (m,), "households", np.int64)
            share = check_variable(ds, "base_population", f"{m}_profile_share", (m,), "1", np.float64)
            require(int(counts.values.sum()) <= households, f"households_by_{m} sums above the root households")
            if np.all(np.isfinite(share.values)):
                got = counts.values / counts.values.sum()
                require(np.all(np.abs(got - share.values) <= 0.01 * share.values + 1e-4),
                        f"households_by_{m} shares {got} are not within 1 % of the profile's {share.values}")
        check_variable(ds, "base_population", "women_by_age_parity", ("age", "parity"), "women", np.int64)


def grouped_se(values, per_population, np):
    """The cluster-robust (CR1) s.e. of the mean over axis 0, clusters of consecutive
    replications, as output/FORMAT.md gives it for replications_per_population."""
    n = values.shape[0]
    deviations = values - values.mean(axis=0)
    sums = np.array([deviations[i:i + per_population].sum(axis=0) for i in range(0, n, per_population)])
    groups = sums.shape[0]
    return np.sqrt(groups / (groups - 1) * (sums ** 2).sum(axis=0)) / n


def check_comparisons(f, per_population, np):
    """Each comparison's total outlay difference: its se as grouped_se gives it."""
    for name, g in f.get("comparisons", {}).items():
        by_year = g["outlay_difference_fen"][:].sum(axis=(2, 3)) / 100.0  # [replication, year], CNY
        statistics = [text(s) for s in g["statistic"][:]]
        reported = g["total_outlay_difference_stats"][:, statistics.index("se")]
        expected = grouped_se(by_year, per_population, np)
        require(np.allclose(reported, expected, rtol=1e-9, atol=1e-6),
                f"{name}: se {reported} is not the cluster-robust {expected} "
                f"(replications_per_population {per_population})")


def check_file(path, expected_replications, h5py, xr, np):
    with h5py.File(path, "r") as f:
        filetype = text(f.attrs.get("filetype", ""))
        require(filetype == "cradle.results", f"filetype is {filetype!r}, not 'cradle.results'")
        version = f.attrs.get("format_version")
        require(version is not None and len(version) == 2, "format_version missing or not [major, minor]")
        major, minor = int(version[0]), int(version[1])
        require(major == 1, f"unknown major format version {major}")
        require(minor >= 1, f"format 1.{minor} is older than 1.1, which this check reads")
        replications = int(f.attrs["replications"])
        if expected_replications is not None:
            require(replications == expected_replications,
                    f"root replications is {replications}, expected {expected_replications}")
        for name in ("population_seconds", "simulation_seconds", "writing_seconds"):
            require(name in f["runtime"].attrs, f"/runtime lacks {name!r}")
        require("scenarios" in f and len(f["scenarios"]) > 0, "no scenarios in /scenarios")
        scenario_ids = list(f["scenarios"].keys())
        has_base = "base_population" in f
        per_population = int(f.attrs.get("replications_per_population", 1))
        require(per_population >= 1, f"replications_per_population is {per_population}")
        design = text(f.attrs.get("population_design", ""))
        require(per_population == 1 or design == "per_group",
                f"population_design {design!r} with {per_population} replications per population")
        check_comparisons(f, per_population, np)

    require(minor < 2 or has_base, "format 1.2 file without base_population")
    if has_base:
        check_base_population(path, xr, np)
    for scenario_id in scenario_ids:
        check_scenario(path, scenario_id, replications, xr, np)
    print(f"{path}: format {major}.{minor}, {len(scenario_ids)} scenario(s), all checks passed")


def main(argv):
    files_only = len(argv) >= 3 and argv[1] == "--file"
    if not files_only and len(argv) != 3:
        print("usage: check_results_xarray.py CRADLE_BINARY OUT.h5\n"
              "       check_results_xarray.py --file FILE.h5 [FILE.h5 ...]", file=sys.stderr)
        return 2
    try:
        import h5py
        import numpy as np
        import xarray as xr
    except ImportError as error:
        if files_only:
            print(f"check_results_xarray: skipped: {error}", file=sys.stderr)
            return SKIPPED
        raise

    if files_only:
        for path in argv[2:]:
            check_file(path, None, h5py, xr, np)
        return 0

    binary, path = argv[1], argv[2]
    # A file left from an earlier run must not pass for this one.
    if os.path.exists(path):
        os.remove(path)
    command = [binary, "run", "-o", path, "--replications", str(REPLICATIONS), "--seed", "7"]
    completed = subprocess.run(command)
    require(completed.returncode == 0,
            f"{' '.join(command)} exited with status {completed.returncode}")
    require(os.path.exists(path), f"{path} was not written")
    check_file(path, REPLICATIONS, h5py, xr, np)
    os.remove(path)
    scenarios = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scenarios")
    command = [binary, "run", os.path.join(scenarios, "xihu_baseline.toml"), os.path.join(scenarios, "xihu_current.toml"),
               "-o", path, "-r", "6", "--sample", "1/20", "--replications-per-population", "3", "-q"]
    completed = subprocess.run(command)
    require(completed.returncode == 0, f"{' '.join(command)} exited with status {completed.returncode}")
    check_file(path, 6, h5py, xr, np)
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
