#!/usr/bin/env python3
"""Smoke test of a fixnet example: run it, and check from its output that it
learned.

    run_example.py (--min-accuracy A | --max-rmse R) [--timeout S] [--accuracy-label L]
                   [--csv-every-epoch] [--skip-unless-env VAR] -- EXAMPLE [ARGS...]

EXAMPLE must exit with status 0 and print
  - "Highway target: NAME",
  - lines "epoch N  loss X" (at least two, N increasing; more may follow X on
    the line),
  - one line "L: C/T = P%" (L is "accuracy" unless --accuracy-label says
    otherwise, e.g. "test accuracy"), or for a regression (--max-rmse) one
    line "rmse: X",
and, if it says "loss curve written to FILE", FILE must hold the same curve:
lines "epoch,loss[,...]" after a header that starts with "epoch,loss" (more
columns may follow; only the first two are compared). With --csv-every-epoch
the file may hold more epochs than were printed, and the printed ones are
compared.

With --skip-unless-env VAR, when the environment variable VAR is unset or
empty (the example's data is not on this machine), the example is not run:
the script says so and exits with 77, Meson's code for a skipped test.

Passes when the first reported loss is greater than the last one and the
accuracy is above A (a fraction, e.g. 0.5), or the RMSE below R. Prints the example's output and
the verdict; exits 0 on success, 1 on failure (Meson's exitcode protocol).
"""

import math
import re

import driver_support
from driver_support import Failure

EPOCH_LINE = re.compile(r"^epoch\s+(\d+)\s+loss\s+(\S+)(?:\s.*)?$")
TARGET_LINE = re.compile(r"^Highway target:\s*(\S+)")
CSV_LINE = re.compile(r"^loss curve written to (.+)$")


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
    rows = driver_support.read_lines(path)
    if not rows or rows[0].split(",")[:2] != ["epoch", "loss"]:
        raise Failure(f"{path}: expected a header starting with 'epoch,loss', found {rows[:1]}")
    columns = len(rows[0].split(","))
    curve = []
    for number, row in enumerate(rows[1:], start=2):
        fields = row.split(",")
        try:
            if len(fields) != columns:
                raise ValueError
            curve.append((int(fields[0]), float(fields[1])))
        except ValueError:
            raise Failure(f"{path}:{number}: expected 'epoch,loss', found {row!r}") from None
    return curve


def check_rmse(lines, max_rmse):
    """The one 'rmse: X' line's X must be finite and below max_rmse."""
    rmse = float(driver_support.only_match(re.compile(r"^rmse:\s*(\S+)$"), lines, "rmse: X").group(1))
    if not (math.isfinite(rmse) and rmse < max_rmse):
        raise Failure(f"RMSE {rmse} is not below {max_rmse}")
    return f"RMSE {rmse:.4f} < {max_rmse}"


def check(output, min_accuracy, accuracy_label="accuracy", csv_every_epoch=False, max_rmse=None):
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

    if max_rmse is not None:
        return (f"loss {first:g} at epoch {first_epoch} -> {last:g} at epoch {last_epoch}, "
                + check_rmse(lines, max_rmse))

    accuracy_line = re.compile(r"^" + re.escape(accuracy_label) + r":\s*(\d+)/(\d+)\s*=")
    accuracy = driver_support.accuracy_above(
        driver_support.only_match(accuracy_line, lines, f"{accuracy_label}: C/T = P%"), min_accuracy)

    csv_paths = [CSV_LINE.match(line) for line in lines]
    csv_paths = [m.group(1) for m in csv_paths if m]
    for path in csv_paths:
        written = read_csv(path)
        if csv_every_epoch:
            # Every epoch in the CSV, some printed: compare those.
            printed = {e for e, _ in curve}
            if not printed <= {e for e, _ in written}:
                raise Failure(f"{path} lacks epochs that were printed")
            written = [(e, loss) for e, loss in written if e in printed]
        # The CSV has full precision, the output six decimals.
        if [e for e, _ in written] != [e for e, _ in curve] or any(
                not math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-6)
                for (_, a), (_, b) in zip(written, curve)):
            raise Failure(f"{path} does not hold the curve that was printed")

    return (f"loss {first:g} at epoch {first_epoch} -> {last:g} at epoch {last_epoch}, "
            f"accuracy {accuracy:.4f} > {min_accuracy}"
            + (f", CSV {csv_paths[0]} checked" if csv_paths else ""))


def main():
    parser = driver_support.argument_parser(__doc__)
    criterion = parser.add_mutually_exclusive_group(required=True)
    criterion.add_argument("--min-accuracy", type=float,
                           help="fraction of points the example must classify correctly")
    criterion.add_argument("--max-rmse", type=float,
                           help="for a regression: the RMSE the example must stay below")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds before the example is killed")
    parser.add_argument("--accuracy-label", default="accuracy",
                        help="the label of the accuracy line to check ('LABEL: C/T = P%%')")
    parser.add_argument("--csv-every-epoch", action="store_true",
                        help="the CSV holds every epoch and the output only some: compare the printed ones")
    driver_support.add_skip_unless_env(parser)
    driver_support.add_command(parser)
    args, command = driver_support.parse_arguments(parser)
    driver_support.require_env(args.skip_unless_env)
    result = driver_support.expect_success(driver_support.run_shown(command, args.timeout))
    return check(result.stdout, args.min_accuracy, args.accuracy_label, args.csv_every_epoch, args.max_rmse)


if __name__ == "__main__":
    driver_support.exit_with(main)
