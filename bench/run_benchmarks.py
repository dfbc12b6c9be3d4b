#!/usr/bin/env python3
"""Runs fixnet's benchmark binaries and writes their results as a Markdown table.

Each binary runs with --benchmark_format=json. Its benchmarks are named
<scenario>/<implementation> (implementation: fixnet, eigen or reference); the
table has one row per scenario, with fixnet's time and throughput per sample,
Eigen's and the scalar reference's time per sample, the ratio Eigen / fixnet,
and fixnet's (and Eigen's) distance to this machine's FMA peak, which every
binary measures at start-up. The machine (CPU, cores, Highway target,
compiler, FMA peak, L2 read bandwidth) is described above the table.

  bench/run_benchmarks.py                          # binaries from build-bench/
  bench/run_benchmarks.py --build-dir build --cpu 1 --repetitions 3
  bench/run_benchmarks.py --min-time 0.01 --filter='-(50000|60000)' --out /tmp/smoke.md
  bench/run_benchmarks.py build/bench/bench_train_step   # some binaries only

Python 3 standard library only.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys

BINARIES = ["bench_forward_sample", "bench_forward_batch", "bench_train_step", "bench_train_data",
            "bench_dispatch"]
IMPLEMENTATIONS = ("fixnet", "eigen", "reference")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binaries", nargs="*",
                        help="benchmark binaries to run (default: every one in BUILD_DIR/bench)")
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build-bench"),
                        help="Meson build directory holding bench/ (default: %(default)s)")
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "results.md"),
                        help="Markdown file to write (default: %(default)s)")
    parser.add_argument("--min-time", type=float,
                        help="--benchmark_min_time in seconds (library default: 0.5)")
    parser.add_argument("--repetitions", type=int, default=1,
                        help="repetitions per benchmark; above 1 the table shows medians")
    parser.add_argument("--filter", help="--benchmark_filter regex; a leading '-' excludes "
                                         "(write --filter=-REGEX)")
    parser.add_argument("--cpu", type=int,
                        help="pin every run to this CPU with taskset (less noise from others; "
                             "with --from-json, only noted in the output)")
    parser.add_argument("--json-dir", help="also keep each binary's raw JSON output here")
    parser.add_argument("--from-json", metavar="DIR",
                        help="run nothing: rebuild the table from the JSON a --json-dir run kept")
    return parser.parse_args()


def find_binaries(args):
    if args.binaries:
        return args.binaries
    found = [os.path.join(args.build_dir, "bench", name) for name in BINARIES]
    missing = [path for path in found if not os.access(path, os.X_OK)]
    if missing:
        sys.exit("run_benchmarks: not built: %s (ninja -C %s)" % (", ".join(missing), args.build_dir))
    return found


# Binaries with multi-threaded scenarios (names holding "two_threads"): with
# --cpu they run in a second, unpinned pass, since pinning both threads to
# one CPU would measure nothing but the time-slicing.
MULTI_THREADED = {"bench_forward_batch", "bench_train_data"}


def run_binary(path, args):
    if args.cpu is None or args.filter or os.path.basename(path) not in MULTI_THREADED:
        return run_once(path, args, args.filter, args.cpu)
    report = run_once(path, args, "-two_threads", args.cpu)
    threaded = run_once(path, args, "two_threads", None)
    report["benchmarks"] += threaded["benchmarks"]
    return report


def run_once(path, args, benchmark_filter, cpu):
    command = [path, "--benchmark_format=json"]
    if args.min_time is not None:
        command.append("--benchmark_min_time=%g" % args.min_time)
    if args.repetitions > 1:
        command += ["--benchmark_repetitions=%d" % args.repetitions,
                    "--benchmark_report_aggregates_only=true"]
    if benchmark_filter:
        command.append("--benchmark_filter=%s" % benchmark_filter)
    if cpu is not None:
        if not shutil.which("taskset"):
            sys.exit("run_benchmarks: --cpu needs taskset (util-linux)")
        command = ["taskset", "-c", str(cpu)] + command
    print("run_benchmarks: %s" % " ".join(command), file=sys.stderr, flush=True)
    # stderr (the binary's banner: target, peak, checks) goes to the terminal.
    result = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if result.returncode != 0:
        sys.exit("run_benchmarks: %s failed with status %d" % (path, result.returncode))
    if args.json_dir:
        os.makedirs(args.json_dir, exist_ok=True)
        with open(os.path.join(args.json_dir, os.path.basename(path) + ".json"), "w") as f:
            f.write(result.stdout)
    return json.loads(result.stdout)


def load_reports(directory):
    """The JSON files a --json-dir run wrote, in the usual order of binaries."""
    names = sorted(f for f in os.listdir(directory) if f.endswith(".json"))
    order = {name + ".json": i for i, name in enumerate(BINARIES)}
    names.sort(key=lambda f: order.get(f, len(order)))
    if not names:
        sys.exit("run_benchmarks: no .json files in %s" % directory)
    reports = []
    for name in names:
        with open(os.path.join(directory, name)) as f:
            reports.append(json.load(f))
    return reports


def base_name(benchmark):
    """The name without what the library appends (/iterations:1, /real_time...)."""
    name = benchmark.get("run_name", benchmark["name"])
    parts = [p for p in name.split("/") if ":" not in p and p not in ("real_time", "manual_time")]
    return "/".join(parts)


def selected_runs(report):
    """One entry per benchmark: the median when repeated, else the single run."""
    runs = {}
    for b in report["benchmarks"]:
        if b.get("error_occurred"):
            print("run_benchmarks: %s: %s" % (b["name"], b.get("error_message")), file=sys.stderr)
            continue
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") != "median":
                continue
        runs[base_name(b)] = b
    return runs


UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


def iteration_seconds(b):
    """CPU time of the benchmarking thread, or wall-clock time for the
    benchmarks that ask for it (the multi-threaded ones: /real_time)."""
    clock = "real_time" if "/real_time" in b.get("run_name", b["name"]) else "cpu_time"
    return b[clock] * UNIT_SECONDS[b.get("time_unit", "ns")]


def fmt_time(seconds):
    if seconds is None:
        return "—"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if seconds >= scale or unit == "ns":
            value = seconds / scale
            return ("%.3g" % value if value < 1000 else "%.0f" % value) + " " + unit
    return "—"


def fmt_ns(seconds):
    if seconds is None:
        return "—"
    ns = seconds * 1e9
    if ns >= 100:
        return "{:,.0f}".format(ns)
    return "%.3g" % ns


def fmt_rate(value):
    if value is None:
        return "—"
    for suffix, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= scale:
            return "%.3g %s" % (value / scale, suffix)
    return "%.3g" % value


def fmt_number(value, digits=3):
    return "—" if value is None else "%.*g" % (digits, value)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_section(reports, per_report_runs, args):
    context = reports[0]["context"] if reports else {}
    lines = ["## Machine", ""]
    lines.append("- CPU: %s, %d cores (%s MHz as reported)" % (
        cpu_model(), os.cpu_count() or 0, context.get("mhz_per_cpu", "?")))
    caches = context.get("caches", [])
    if caches:
        lines.append("- Caches: " + ", ".join(
            "L%d%s %d KiB%s" % (c["level"], {"Data": "d", "Instruction": "i"}.get(c["type"], ""),
                                c["size"] // 1024,
                                " (shared by %d)" % c["num_sharing"] if c.get("num_sharing", 1) > 1 else "")
            for c in caches))
    lines.append("- Highway static target: %s" % context.get("highway_target", "?"))
    lines.append("- Compiler: %s (%s); Google Benchmark library built as %s" % (
        context.get("compiler", "?"), context.get("fixnet_build", "?"),
        context.get("library_build_type", "?")))
    peaks = [r["context"].get("fma_peak_gflops") for r in reports if "fma_peak_gflops" in r["context"]]
    l2s = [r["context"].get("l2_read_gbps") for r in reports if "l2_read_gbps" in r["context"]]
    # Every binary runs the machine benchmarks: one figure per binary.
    fma = [r["machine/fma_peak"] for r in per_report_runs if "machine/fma_peak" in r]
    l2 = [r["machine/l2_read"] for r in per_report_runs if "machine/l2_read" in r]
    fma_bench = ", ".join(fmt_number(b.get("FLOPS", 0) * 1e-9, 4) for b in fma) or "—"
    l2_bench = ", ".join(fmt_number(b.get("bytes_per_second", 0) * 1e-9, 4) for b in l2) or "—"
    lines.append("- FMA peak, one core: %s GFLOP/s as benchmark `machine/fma_peak` "
                 "(start-up measurements, the denominators of %% peak: %s)" % (
                     fma_bench, ", ".join(peaks) or "—"))
    lines.append("- L2 read bandwidth (256 KiB buffer), one core: %s GB/s as benchmark "
                 "`machine/l2_read` (start-up: %s)" % (l2_bench, ", ".join(l2s) or "—"))
    repetitions = max((b.get("repetitions", 1) for r in reports for b in r["benchmarks"]), default=1)
    loads = ", ".join("%.1f" % r["context"]["load_avg"][0] for r in reports if r["context"].get("load_avg"))
    lines.append("- Run: %s; %s; %s%s; load average (1 min) as each binary started: %s" % (
        context.get("date", "?"),
        "median of %d repetitions" % repetitions if repetitions > 1 else "one run per benchmark",
        "min_time %g s" % args.min_time if args.min_time is not None else "default min_time",
        ", pinned to CPU %d (the two_threads scenarios unpinned)" % args.cpu if args.cpu is not None else "",
        loads or "?"))
    busiest = max((r["context"]["load_avg"][0] for r in reports if r["context"].get("load_avg")),
                  default=0.0)
    if busiest > 1.0:
        lines.append("- **Caveat:** other work was running (load average up to %.1f on %d cores): "
                     "absolute times are noisy, ratios within this run less so." % (
                         busiest, os.cpu_count() or 0))
    return lines


def table_section(runs):
    scenarios = []
    by_scenario = {}
    for name, b in runs.items():
        if name.startswith("machine/"):
            continue
        scenario, _, impl = name.rpartition("/")
        if impl not in IMPLEMENTATIONS:
            scenario, impl = name, "fixnet"
        if scenario not in by_scenario:
            scenarios.append(scenario)
            by_scenario[scenario] = {}
        by_scenario[scenario][impl] = b

    header = ["scenario", "fixnet ns/sample", "fixnet samples/s", "fixnet per iteration",
              "Eigen ns/sample", "Eigen per iteration", "Eigen / fixnet", "reference ns/sample",
              "fixnet GFLOP/s", "fixnet % FMA peak", "Eigen % FMA peak"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    notes = []
    for scenario in scenarios:
        impls = by_scenario[scenario]
        fixnet, eigen, reference = (impls.get(i) for i in IMPLEMENTATIONS)
        per_sample = {i: b.get("time/sample") for i, b in impls.items()}
        ratio = None
        if per_sample.get("fixnet") and per_sample.get("eigen"):
            ratio = per_sample["eigen"] / per_sample["fixnet"]
        if reference and reference.get("label"):
            notes.append("`%s`: the reference ran on the %s." % (scenario, reference["label"]))
        for b in (fixnet, eigen):
            if b and b.get("label") and "loss" in b["label"]:
                notes.append("`%s/%s`: %s." % (scenario, "fixnet" if b is fixnet else "eigen", b["label"]))
        row = [
            "`%s`" % scenario,
            fmt_ns(per_sample.get("fixnet")),
            fmt_rate(fixnet.get("items_per_second")) if fixnet else "—",
            fmt_time(iteration_seconds(fixnet)) if fixnet else "—",
            fmt_ns(per_sample.get("eigen")),
            fmt_time(iteration_seconds(eigen)) if eigen else "—",
            "%.2f×" % ratio if ratio else "—",
            fmt_ns(per_sample.get("reference")),
            fmt_number(fixnet.get("FLOPS", 0) * 1e-9) if fixnet and "FLOPS" in fixnet else "—",
            fmt_number(fixnet.get("%peak"), 2) if fixnet and "%peak" in fixnet else "—",
            fmt_number(eigen.get("%peak"), 2) if eigen and "%peak" in eigen else "—",
        ]
        lines.append("| " + " | ".join(row) + " |")
    return lines, notes


LEGEND = """\
How to read it:
- Times are CPU time of the benchmarking thread (the library's default), so
  time spent descheduled on a busy machine is not counted; they are still
  disturbed by other processes sharing caches and cores.
- *ns/sample* is the time of one iteration divided by the samples it
  processes; *per iteration* is one iteration of the scenario (one sample,
  one batch, one epoch, the whole 50 000-epoch experiment).
  *Eigen / fixnet* above 1 means fixnet is faster.
- *throughput*: independent inputs, consecutive samples overlap in the CPU;
  *latency*: each input depends on the previous output (a dependent chain),
  as in a real-time loop (bench/forward.hpp says how).
- GFLOP/s count the matrix products only: a forward pass is 2·In·Out per
  dense layer and sample; a training step is counted as 3× its forward pass
  (the usual convention, as issue 3 counts; the products actually done are
  about 2× since no one computes the first layer's input gradient).
  % FMA peak divides by the single-core FMA peak measured at start-up.
- Eigen is a hand-written Eigen 3.4 fixed-size network (bench/eigen_mlp.hpp);
  the reference is fixnet's scalar `fixnet::reference` (plain loops, vectors
  on the heap: a correctness oracle, not a contender). Every binary checks at
  start-up that all three compute the same outputs, gradients and updates.
- `int8/...` rows (bench/quantized.cpp): *fixnet* is the quantized network
  (`fixnet::Quantized`, int8 weights), *Eigen* the float Eigen network; the
  `.../float` rows are fixnet's float network, `.../pixels` the quantized one
  fed raw uint8 pixels. Its start-up check: quantized within 0.05 of float.
"""


def main():
    args = parse_args()
    if args.from_json:
        reports = load_reports(args.from_json)
    else:
        reports = [run_binary(path, args) for path in find_binaries(args)]

    per_report_runs = [selected_runs(report) for report in reports]
    runs = {}
    for report_runs in per_report_runs:
        runs.update(report_runs)

    table, notes = table_section(runs)
    out = ["# fixnet benchmark results", ""]
    out += machine_section(reports, per_report_runs, args)
    out += ["", "## Results", ""] + table + [""]
    if notes:
        out += ["Notes:"] + ["- " + n for n in notes] + [""]
    out += [LEGEND]
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("\n".join(out))
    print("run_benchmarks: wrote %s" % args.out, file=sys.stderr)


if __name__ == "__main__":
    main()
