#!/usr/bin/env python3
"""Smoke test of a fixnet example: run it, and check from its output that it
learned.

    run_example.py [--min-accuracy A] [--timeout S] -- EXAMPLE [ARGS...]

EXAMPLE must exit with status 0 and print
  - "Highway target: NAME",
  - lines "epoch N  loss X" (at least two, N increasing),
  - "accuracy: C/T = P%",
and, if it says "loss curve written to FILE", FILE must hold the same curve as
"epoch,loss" lines after an "epoch,loss" header.

Passes when the first reported loss is greater than the last one and the
accuracy is above A (a fraction, e.g. 0.5). Prints the example's output and
the verdict; exits 0 on success, 1 on failure (Meson's exitcode protocol).
"""

import argparse
import math
import re
import subprocess
import sys

EPOCH_LINE = re.compile(r"^epoch\s+(\d+)\s+loss\s+(\S+)\s*$")
ACCURACY_LINE = re.compile(r"^accuracy:\s*(\d+)/(\d+)\s*=")
TARGET_LINE = re.compile(r"^Highway target:\s*(\S+)")
CSV_LINE = re.compile(r"^loss curve written to (.+)$")


class Failure(Exception):
    pass


def parse_curve(lines, where):
    """[(epoch, loss)] from 'epoch N  loss X' lines; checks order and finiteness."""
    curve = []
    for line in lines:
        match = EPOCH_LINE.match(line)
        if not match:
            continue
        epoch, loss = int(match.group(1)), float(match.group(2))
        if not math.isfinite(loss):
            raise Failure(f"{where}: loss at epoch {epoch} is {loss}")
        if curve and epoch <= curve[-1][0]:
            raise Failure(f"{where}: epoch {epoch} follows epoch {curve[-1][0]}")
        curve.append((epoch, loss))
    return curve


def read_csv(path):
    try:
        with open(path, encoding="utf-8") as f:
            rows = f.read().splitlines()
    except OSError as e:
        raise Failure(f"cannot read the CSV the example wrote: {e}") from e
    if not rows or rows[0] != "epoch,loss":
        raise Failure(f"{path}: expected the header 'epoch,loss', found {rows[:1]}")
    curve = []
    for number, row in enumerate(rows[1:], start=2):
        fields = row.split(",")
        try:
            if len(fields) != 2:
                raise ValueError
            curve.append((int(fields[0]), float(fields[1])))
        except ValueError:
            raise Failure(f"{path}:{number}: expected 'epoch,loss', found {row!r}") from None
    return curve


def check(output, min_accuracy):
    lines = output.splitlines()
    if not any(TARGET_LINE.match(line) for line in lines):
        raise Failure("the example did not print 'Highway target: ...'")

    curve = parse_curve(lines, "output")
    if len(curve) < 2:
        raise Failure(f"expected at least two 'epoch N  loss X' lines, found {len(curve)}")
    (first_epoch, first), (last_epoch, last) = curve[0], curve[-1]
    if not last < first:
        raise Failure(f"the loss did not fall: {first} at epoch {first_epoch}, "
                      f"{last} at epoch {last_epoch}")

    accuracies = [ACCURACY_LINE.match(line) for line in lines]
    accuracies = [m for m in accuracies if m]
    if len(accuracies) != 1:
        raise Failure(f"expected one 'accuracy: C/T = P%' line, found {len(accuracies)}")
    correct, total = int(accuracies[0].group(1)), int(accuracies[0].group(2))
    if total <= 0 or not 0 <= correct <= total:
        raise Failure(f"nonsensical accuracy {correct}/{total}")
    accuracy = correct / total
    if not accuracy > min_accuracy:
        raise Failure(f"accuracy {accuracy:.4f} is not above {min_accuracy}")

    csv_paths = [CSV_LINE.match(line) for line in lines]
    csv_paths = [m.group(1) for m in csv_paths if m]
    for path in csv_paths:
        written = read_csv(path)
        # The CSV has full precision, the output six decimals.
        if [e for e, _ in written] != [e for e, _ in curve] or any(
                not math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-6)
                for (_, a), (_, b) in zip(written, curve)):
            raise Failure(f"{path} does not hold the curve that was printed")

    return (f"loss {first:g} at epoch {first_epoch} -> {last:g} at epoch {last_epoch}, "
            f"accuracy {accuracy:.4f} > {min_accuracy}"
            + (f", CSV {csv_paths[0]} checked" if csv_paths else ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--min-accuracy", type=float, required=True,
                        help="fraction of training points the example must classify correctly")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds before the example is killed")
    parser.add_argument("command", nargs=argparse.REMAINDER,
                        help="-- EXAMPLE [ARGS...]")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("expected the example to run after --")

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
