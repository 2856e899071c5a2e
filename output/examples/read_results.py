#!/usr/bin/python3
"""Reads a Cradle results file as a researcher would, with xarray and with h5py, prints what it
says and draws a fan chart of the total outlay by year.

    /usr/bin/python3 output/examples/read_results.py xihu_current.h5 [outlay.png] [--scenario ID]

Needs Debian 12's python3-xarray, python3-h5netcdf, python3-h5py and python3-matplotlib
(.ci/install-deps installs them). Amounts in the file are yuan (CNY); planners budget in
万元 (10,000 yuan), so this prints 万元. The file's layout: output/FORMAT.md.
"""

import argparse
import sys
import unicodedata

import h5py
import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
import xarray as xr  # noqa: E402

WAN = 1e4  # yuan in one 万元


def text(value):
    """An HDF5 string (attribute or dataset element) as str."""
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def pad(value, width):
    """`value` padded to `width` terminal columns: a Chinese character takes two."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in value)
    return value + " " * max(width - used, 0)


def describe_file(path, scenario):
    """With h5py: the file's identity, its CF attributes and the scenario's labels."""
    with h5py.File(path, "r") as f:
        if text(f.attrs.get("filetype", "")) != "cradle.results":
            sys.exit(f"{path} is not a Cradle results file")
        major, minor = (int(v) for v in f.attrs["format_version"])
        if major != 1:
            sys.exit(f"{path}: results format {major}.{minor}, this script reads 1.x")
        scenarios = list(f["scenarios"])
        scenario = scenario or scenarios[0]
        if scenario not in scenarios:
            sys.exit(f"{path} holds no scenario {scenario!r} (it holds {', '.join(scenarios)})")
        print(f"{path}: format {major}.{minor}, {f.attrs.get('Conventions', 'no Conventions')}")
        for name in ("title", "source", "history"):
            if name in f.attrs:
                print(f"  {name}: {text(f.attrs[name])}")
        print(f"  scenarios: {', '.join(scenarios)}; replications {int(f.attrs['replications'])}, "
              f"1 household in {int(f.attrs['sample_fraction'][1])} simulated")
        g = f["scenarios"][scenario]
        print(f"\nscenario {scenario}: {text(g.attrs['title'])}")
        print("measures paid from the budget:")
        for mid, title in zip(g["measure"].asstr()[:], g["measure_title"].asstr()[:]):
            print(f"  {mid:48s} {title}")
        payers = list(zip(g["payer"].asstr()[:], g["payer_level"].asstr()[:], g["payer_name"].asstr()[:]))
        return scenario, payers


def print_outlay(ds, payers):
    """With xarray: total outlay per year with its 90 % band, and by paying level, in 万元."""
    total = ds.outlay.sum(["measure", "payer"]) / WAN  # per replication and year
    q = total.quantile([0.05, 0.5, 0.95], dim="replication")
    mean = total.mean("replication")
    print("\ntotal outlay, 万元 (mean, 90 % band over replications)")
    for year in ds.year.values:
        lo, _, hi = (float(q.sel(year=year, quantile=p)) for p in (0.05, 0.5, 0.95))
        print(f"  {int(year)}  {float(mean.sel(year=year)):14,.1f}   [{lo:14,.1f} … {hi:14,.1f}]")
    horizon = total.sum("year")
    lo, hi = (float(horizon.quantile(p, dim="replication")) for p in (0.05, 0.95))
    first, last = int(ds.year.values[0]), int(ds.year.values[-1])
    print(f"  {first}–{last}: {float(horizon.mean()):,.1f} 万元 [{lo:,.1f} … {hi:,.1f}]")
    by_payer = (ds.outlay.sum(["measure", "year"]).mean("replication") / WAN).values
    print(f"\nby paying level over {first}–{last}, 万元 (mean)")
    for (pid, level, name), value in zip(payers, by_payer):
        print(f"  {level:9s} {pad(name, 40)} {value:14,.1f}")
    return q


def draw_fan(ds, q, scenario, png):
    """The fan chart: median of the total outlay by year, its 50 % and 90 % bands."""
    total = ds.outlay.sum(["measure", "payer"]) / WAN
    q50 = total.quantile([0.25, 0.75], dim="replication")
    years = ds.year.values
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    ax.fill_between(years, q.sel(quantile=0.05), q.sel(quantile=0.95), alpha=0.25, color="C0", label="90 % band")
    ax.fill_between(years, q50.sel(quantile=0.25), q50.sel(quantile=0.75), alpha=0.45, color="C0", label="50 % band")
    ax.plot(years, q.sel(quantile=0.5), color="C0", marker="o", label="median")
    ax.set_xlabel("year")
    ax.set_ylabel("total outlay, 10,000 yuan (wan yuan)")
    ax.set_title(f"{scenario}: total budget outlay by year")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(png)
    plt.close(fig)
    print(f"\nwrote {png}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="results file written by cradle run")
    parser.add_argument("png", nargs="?", default="outlay.png", help="figure to write (default: outlay.png)")
    parser.add_argument("--scenario", help="scenario id (default: the file's first)")
    args = parser.parse_args()
    sys.stdout.reconfigure(encoding="utf-8")  # Chinese names print whatever the locale
    scenario, payers = describe_file(args.results, args.scenario)
    with xr.open_dataset(args.results, group=f"scenarios/{scenario}", engine="h5netcdf") as ds:
        q = print_outlay(ds, payers)
        draw_fan(ds, q, scenario, args.png)


if __name__ == "__main__":
    main()
