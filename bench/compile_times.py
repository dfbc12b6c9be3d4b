#!/usr/bin/env python3
"""Times the compilation of every example and benchmark translation unit.

Compile time is part of fixnet's speed (issue 3): a 2-4-3 example should
compile in 5 s or less, a 784-50-10 one in 10 s or less. This script reruns,
one at a time, the compiler commands that Meson recorded in
BUILD/compile_commands.json for the sources under examples/ and bench/ (and
any extra --pattern), writing the objects to a temporary directory, and
prints a Markdown table: wall-clock and CPU seconds per file, and the budget
where the issue sets one.

    bench/compile_times.py BUILD [--out FILE] [--repeat N] [--pattern SUBSTR]

Run it on a quiet machine: it measures whatever else is running too. Each
file is compiled --repeat times (default 1) and the fastest run is kept.
"""
import argparse
import json
import os
import resource
import shlex
import subprocess
import sys
import tempfile
import time

# The budgets, by source file name, or by the target that compiles a
# source several times (examples/train_batch.cpp: once per network and batch
# size; the 784-50-10 ones count against mnist's budget).
BUDGETS = {"blobs.cpp": 5.0, "moons.cpp": 5.0, "tour.cpp": 5.0, "mnist.cpp": 10.0,
           "mnist_train_batch": 10.0}


def target_of(command):
    """The Meson target that compiles this command's source: the directory
    of its object file, less '.p' and a library's 'lib' and '.a'."""
    output = command.get("output", "")
    target = os.path.basename(os.path.dirname(output))
    for suffix in (".p", ".a"):
        if target.endswith(suffix):
            target = target[: -len(suffix)]
    return target[3:] if target.startswith("lib") else target


def budget_for(command):
    budget = BUDGETS.get(os.path.basename(command["file"]))
    if budget is None:
        target = target_of(command)
        budget = next((b for prefix, b in BUDGETS.items() if target.startswith(prefix)), None)
    return budget


def child_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_command(arguments, directory):
    """Runs one compiler command; returns (wall seconds, CPU seconds)."""
    cpu_before = child_cpu_seconds()
    start = time.perf_counter()
    result = subprocess.run(arguments, cwd=directory, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    cpu = child_cpu_seconds() - cpu_before
    if result.returncode != 0:
        sys.exit("compile_times: this command failed:\n  %s\n%s" % (shlex.join(arguments), result.stderr))
    return wall, cpu


def redirect_output(arguments, output):
    """The command with its -o argument replaced and no dependency file."""
    out = []
    it = iter(arguments)
    for a in it:
        if a == "-o":
            next(it)
            out += ["-o", output]
        elif a in ("-MF", "-MQ"):
            next(it)
        elif a != "-MD":
            out.append(a)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build", help="a configured Meson build directory")
    parser.add_argument("--out", help="also write the table to this file")
    parser.add_argument("--repeat", type=int, default=1, help="compile each file N times, keep the fastest")
    parser.add_argument("--pattern", action="append", default=["examples/", "bench/"],
                        help="time the sources whose path contains this (repeatable)")
    args = parser.parse_args()

    path = os.path.join(args.build, "compile_commands.json")
    if not os.path.exists(path):
        sys.exit("compile_times: %s not found: configure the build directory with meson first" % path)
    with open(path) as f:
        commands = json.load(f)
    chosen = [c for c in commands if any(p in c["file"] for p in args.pattern)]
    if not chosen:
        sys.exit("compile_times: no source in %s matches %s (were examples and benchmarks enabled?)"
                 % (path, ", ".join(args.pattern)))

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, c in enumerate(sorted(chosen, key=lambda c: c["file"])):
            arguments = c["arguments"] if "arguments" in c else shlex.split(c["command"])
            arguments = redirect_output(arguments, os.path.join(tmp, "tu%d.o" % i))
            name = os.path.relpath(os.path.normpath(os.path.join(c["directory"], c["file"])),
                                   os.path.dirname(os.path.abspath(args.build)))
            if sum(d["file"] == c["file"] for d in chosen) > 1:
                name += " (%s)" % target_of(c)
            print("compiling %s ..." % name, file=sys.stderr, flush=True)
            runs = [time_command(arguments, c["directory"]) for _ in range(max(1, args.repeat))]
            wall, cpu = min(runs)
            budget = budget_for(c)
            verdict = "—" if budget is None else ("%.0f s: %s" % (budget, "within" if wall <= budget else "OVER"))
            rows.append("| `%s` | %.1f | %.1f | %s |" % (name, wall, cpu, verdict))

    load = os.getloadavg()[0]
    table = ["| translation unit | wall s | CPU s | budget (issue 3) |", "|---|---|---|---|"] + rows
    text = "\n".join(table) + "\n\n(one file at a time; load average %.1f when done)\n" % load
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
