#!/usr/bin/env python3
"""Ratios of vcluster's Go benchmarks to the crate's owned variants, from one run of run.sh.

Usage: ratios.py RESULTS_DIR   (go-N.txt, rust-N.txt and load.txt, as run.sh writes them)

For each pair and each round it prints Go's ns/op (the median and the fastest of its `-count`
runs), the crate's divan figures (median and fastest sample) and the speed-up Go / Rust, both
median over median and fastest over fastest; then the same over all rounds together.
"""
import re
import statistics
import sys
from pathlib import Path

PAIRS = [
    ("BenchmarkDiffTranslateBackwards", "mirrored_pv_owned", "host PV -> virtual PV (sync mode)"),
    ("BenchmarkDiffTranslateToHost", "host_pv_owned", "virtual PV -> host PV"),
    ("BenchmarkDiffHostPVCTranslate", "host_pvc_owned", "virtual PVC -> host PVC"),
]
UNITS = {"ns": 1.0, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}


def go_runs(text):
    """name -> list of (ns/op, B/op, allocs/op)."""
    runs = {}
    for line in text.splitlines():
        m = re.match(r"^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(?:\s+(\d+) B/op\s+(\d+) allocs/op)?", line)
        if m:
            runs.setdefault(m.group(1), []).append(
                (float(m.group(2)), m.group(3) and int(m.group(3)), m.group(4) and int(m.group(4)))
            )
    return runs


def duration(text):
    m = re.match(r"([\d.]+)\s*(ns|µs|us|ms|s)$", text.strip())
    return float(m.group(1)) * UNITS[m.group(2)] if m else None


def rust_runs(text):
    """name -> (fastest ns, median ns, allocations per call or None)."""
    out = {}
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^\s*[├╰]─ (\S+)\s+(.*)$", line)
        if not m:
            continue
        cells = [c.strip() for c in m.group(2).split("│")]
        if len(cells) < 3:
            continue
        fastest, median = duration(cells[0]), duration(cells[2])
        allocs = None
        # divan's AllocProfiler: "alloc:" then a row whose first cell is the count.
        rows = [re.sub(r"^\s*│", "", row).split("│")[0].strip() for row in lines[i + 1 : i + 16]]
        for k, row in enumerate(rows[:-1]):
            if row.startswith(("├─", "╰─")):
                break
            if row == "alloc:":
                allocs = int(rows[k + 1]) if rows[k + 1].isdigit() else None
                break
        out[m.group(1)] = (fastest, median, allocs)
    return out


def fmt(ns):
    return f"{ns / 1000:.2f} µs" if ns >= 1000 else f"{ns:.0f} ns"


def main():
    results = Path(sys.argv[1])
    rounds = sorted(int(p.stem.split("-")[1]) for p in results.glob("go-*.txt"))
    loads = (results / "load.txt").read_text().split("\n") if (results / "load.txt").exists() else []
    print(f"results: {results}")
    print("load averages (1, 5, 15 min) before each side and at the end:")
    for line in loads:
        if line.strip():
            print(f"  {line.strip()}")
    every = {go: ([], []) for go, _, _ in PAIRS}
    for r in rounds:
        go = go_runs((results / f"go-{r}.txt").read_text())
        rust = rust_runs((results / f"rust-{r}.txt").read_text())
        print(f"\nround {r}")
        print(f"  {'pair':<58} {'Go median/fastest':>22} {'Rust median/fastest':>22} {'speed-up median (fastest)':>27}")
        for go_name, rust_name, what in PAIRS:
            g = go.get(go_name)
            rs = rust.get(rust_name)
            if not g or not rs or rs[0] is None or rs[1] is None:
                print(f"  {go_name} / {rust_name}: missing")
                continue
            times = [t for t, _, _ in g]
            g_med, g_min = statistics.median(times), min(times)
            r_fast, r_med, r_allocs = rs
            every[go_name][0].extend(times)
            every[go_name][1].append((r_fast, r_med, r_allocs, g[0][2]))
            label = f"{go_name} / {rust_name}"
            print(
                f"  {label:<58} {fmt(g_med) + ' / ' + fmt(g_min):>22} {fmt(r_med) + ' / ' + fmt(r_fast):>22}"
                f" {g_med / r_med:>14.1f}x ({g_min / r_fast:.1f}x)"
            )
    print("\nall rounds (Go: median and fastest of every run; Rust: median of the rounds' medians, fastest of all)")
    for go_name, rust_name, what in PAIRS:
        times, rust = every[go_name]
        if not times or not rust:
            continue
        g_med, g_min = statistics.median(times), min(times)
        r_med = statistics.median([m for _, m, _, _ in rust])
        r_fast = min(f for f, _, _, _ in rust)
        allocs = f"allocations Go {rust[0][3]}, Rust {rust[0][2]}" if rust[0][3] is not None else ""
        print(
            f"  {what:<36} {go_name:<34} {fmt(g_med):>9} ({fmt(g_min)})  {rust_name:<18} {fmt(r_med):>9} ({fmt(r_fast)})"
            f"  speed-up {g_med / r_med:.1f}x ({g_min / r_fast:.1f}x)  {allocs}"
        )


if __name__ == "__main__":
    main()
