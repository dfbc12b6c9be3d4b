#!/usr/bin/env python3
"""Smoke test of the galaxy_style example: run it on a few MNIST images and
check from its output and files that it learned.

    run_galaxy_style.py [--min-accuracy A] [--timeout S] -- EXAMPLE [ARGS...]

Needs MNIST-format data: FIXNET_DATA must name it (examples/meson.build sets
it when the development machines' copy exists beside the project). Without
it, the test is skipped: exit status 77, which Meson reports as SKIP.

EXAMPLE must exit with status 0 and print
  - "Highway target: NAME",
  - lines "iteration K  train cost X  test cost Y  ..." (two or more, K
    increasing, costs finite),
  - "accuracy: C/T = P% (test)" and "lowest test cost: X at iteration K",
and, if it says "learning curves written to FILE", FILE must hold
"iteration,train_cost,test_cost,objective,seconds" rows, one per iteration from 0,
that agree with the printed lines; if it says "plot written to FILE", FILE
must be a PNG.

Passes when the train cost fell from the first line to the last, the test
accuracy is above A and the lowest test cost is the CSV's minimum. Exits 0
on success, 1 on failure, 77 when skipped.
"""

import argparse
import math
import os
import re
import subprocess
import sys

ITERATION_LINE = re.compile(r"^iteration\s+(\d+)\s+train cost (\S+)\s+test cost (\S+)\s")
ACCURACY_LINE = re.compile(r"^accuracy:\s*(\d+)/(\d+)\s*=.*\(test\)")
BEST_LINE = re.compile(r"^lowest test cost: (\S+) at iteration (\d+)")
TARGET_LINE = re.compile(r"^Highway target:\s*(\S+)")
CSV_LINE = re.compile(r"^learning curves written to (.+)$")
PLOT_LINE = re.compile(r"^plot written to (.+)$")
CSV_HEADER = "iteration,train_cost,test_cost,objective,seconds"


class Failure(Exception):
    pass


def parse_lines(lines):
    curve = []
    for line in lines:
        match = ITERATION_LINE.match(line)
        if not match:
            continue
        k, train, test = int(match.group(1)), float(match.group(2)), float(match.group(3))
        if not (math.isfinite(train) and math.isfinite(test)):
            raise Failure(f"non-finite cost at iteration {k}: {line}")
        if curve and k <= curve[-1][0]:
            raise Failure(f"iteration {k} follows iteration {curve[-1][0]}")
        curve.append((k, train, test))
    return curve


def read_csv(path):
    try:
        with open(path, encoding="utf-8") as f:
            rows = f.read().splitlines()
    except OSError as e:
        raise Failure(f"cannot read the CSV the example wrote: {e}") from e
    if not rows or rows[0] != CSV_HEADER:
        raise Failure(f"{path}: expected the header '{CSV_HEADER}', found {rows[:1]}")
    table = {}
    for number, row in enumerate(rows[1:], start=2):
        fields = row.split(",")
        try:
            if len(fields) != 5:
                raise ValueError
            k = int(fields[0])
            values = [float(v) for v in fields[1:]]
        except ValueError:
            raise Failure(f"{path}:{number}: expected '{CSV_HEADER}' values, found {row!r}") from None
        if k != number - 2:
            raise Failure(f"{path}:{number}: expected iteration {number - 2}, found {k}")
        table[k] = values
    return table


def check(output, min_accuracy):
    lines = output.splitlines()
    if not any(TARGET_LINE.match(line) for line in lines):
        raise Failure("the example did not print 'Highway target: ...'")
    curve = parse_lines(lines)
    if len(curve) < 2:
        raise Failure(f"expected at least two 'iteration K  train cost X  test cost Y' lines, found {len(curve)}")
    (k0, first, _), (k1, last, _) = curve[0], curve[-1]
    if not last < first:
        raise Failure(f"the train cost did not fall: {first} at iteration {k0}, {last} at iteration {k1}")

    accuracies = [m for m in map(ACCURACY_LINE.match, lines) if m]
    if len(accuracies) != 1:
        raise Failure(f"expected one 'accuracy: C/T = P% (test)' line, found {len(accuracies)}")
    correct, total = int(accuracies[0].group(1)), int(accuracies[0].group(2))
    if total <= 0 or not 0 <= correct <= total:
        raise Failure(f"nonsensical accuracy {correct}/{total}")
    accuracy = correct / total
    if not accuracy > min_accuracy:
        raise Failure(f"test accuracy {accuracy:.4f} is not above {min_accuracy}")

    bests = [m for m in map(BEST_LINE.match, lines) if m]
    if len(bests) != 1:
        raise Failure(f"expected one 'lowest test cost: X at iteration K' line, found {len(bests)}")
    best_cost, best_k = float(bests[0].group(1)), int(bests[0].group(2))

    verdict = (f"train cost {first:g} at iteration {k0} -> {last:g} at iteration {k1}, "
               f"test accuracy {accuracy:.4f} > {min_accuracy}, lowest test cost at iteration {best_k}")
    for path in [m.group(1) for m in map(CSV_LINE.match, lines) if m]:
        table = read_csv(path)
        for k, train, test in curve:
            if k not in table or not all(math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-6)
                                         for a, b in zip(table[k][:2], (train, test))):
                raise Failure(f"{path} does not hold the costs printed at iteration {k}")
        lowest = min(table, key=lambda k: table[k][1])
        if lowest != best_k or not math.isclose(table[lowest][1], best_cost, rel_tol=1e-5):
            raise Failure(f"{path}: the lowest test cost is at iteration {lowest}, the example said {best_k}")
        verdict += f", CSV {path} checked"
    for path in [m.group(1) for m in map(PLOT_LINE.match, lines) if m]:
        try:
            with open(path, "rb") as f:
                magic = f.read(8)
        except OSError as e:
            raise Failure(f"cannot read the plot the example wrote: {e}") from e
        if magic != b"\x89PNG\r\n\x1a\n":
            raise Failure(f"{path} is not a PNG file")
        verdict += f", PNG {path} checked"
    return verdict


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--min-accuracy", type=float, required=True,
                        help="fraction of test images the example must classify correctly")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before the example is killed")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- EXAMPLE [ARGS...]")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("expected the example to run after --")

    if not os.environ.get("FIXNET_DATA"):
        print("SKIP: FIXNET_DATA is not set: no MNIST beside the project (../shared/datasets/mnist), "
              "so the galaxy_style smoke test does not run")
        return 77

    print("running:", " ".join(command), flush=True)
    try:
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, timeout=args.timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        print(f"FAIL: could not run the example: {e}")
        return 1
    sys.stdout.write(result.stdout)
    sys.stdout.write(result.stderr)
    if result.returncode != 0:
        print(f"FAIL: the example exited with status {result.returncode}")
        return 1
    try:
        verdict = check(result.stdout, args.min_accuracy)
    except Failure as e:
        print(f"FAIL: {e}")
        return 1
    print(f"PASS: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
