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

import math
import re

import driver_support
from driver_support import Failure

ITERATION_LINE = re.compile(r"^iteration\s+(\d+)\s+train cost (\S+)\s+test cost (\S+)\s")
ACCURACY_LINE = re.compile(r"^accuracy:\s*(\d+)/(\d+)\s*=.*\(test\)")
BEST_LINE = re.compile(r"^lowest test cost: (\S+) at iteration (\d+)")
TARGET_LINE = re.compile(r"^Highway target:\s*(\S+)")
CSV_LINE = re.compile(r"^learning curves written to (.+)$")
PLOT_LINE = re.compile(r"^plot written to (.+)$")
CSV_HEADER = "iteration,train_cost,test_cost,objective,seconds"


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
    rows = driver_support.read_lines(path)
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

    accuracy = driver_support.accuracy_above(
        driver_support.only_match(ACCURACY_LINE, lines, "accuracy: C/T = P% (test)"), min_accuracy,
        "test accuracy")

    best = driver_support.only_match(BEST_LINE, lines, "lowest test cost: X at iteration K")
    best_cost, best_k = float(best.group(1)), int(best.group(2))

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
    parser = driver_support.argument_parser(__doc__)
    parser.add_argument("--min-accuracy", type=float, required=True,
                        help="fraction of test images the example must classify correctly")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before the example is killed")
    driver_support.add_command(parser)
    args, command = driver_support.parse_arguments(parser)
    driver_support.require_env("FIXNET_DATA")
    result = driver_support.expect_success(driver_support.run_shown(command, args.timeout))
    return check(result.stdout, args.min_accuracy)


if __name__ == "__main__":
    driver_support.exit_with(main)
