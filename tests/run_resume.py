#!/usr/bin/env python3
"""--checkpoint and --resume of an example, end to end: one run of N epochs
with --checkpoint, and one of N/2 epochs with --checkpoint then --resume up
to N, must print the same per-epoch losses and accuracies and the same
final accuracy lines (timings aside). Exits 77 (SKIP) when FIXNET_DATA is
unset, as the other real-data tests.

usage: run_resume.py --epochs N --workdir DIR -- PROGRAM [ARGS...]
"""
import argparse
import os
import re
import subprocess
import sys


def numbers(output):
    """Epoch lines without their timings, and the accuracy lines."""
    keep = []
    for line in output.splitlines():
        if re.match(r"^epoch\s+\d+", line):
            keep.append(re.sub(r"\s+[\d.]+ s\s+\d+ samples/s$", "", line).strip())
        elif "accuracy:" in line:
            keep.append(line.strip())
    return keep


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        print(f"failed ({result.returncode}): {' '.join(cmd)}\n{result.stdout}\n{result.stderr}")
        sys.exit(1)
    return result.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not os.environ.get("FIXNET_DATA"):
        print("SKIPPED: FIXNET_DATA is not set (no data set to train on)")
        return 77
    os.makedirs(args.workdir, exist_ok=True)
    straight_ckpt = os.path.join(args.workdir, "straight.ckpt.safetensors")
    split_ckpt = os.path.join(args.workdir, "split.ckpt.safetensors")
    for path in (straight_ckpt, split_ckpt):
        if os.path.exists(path):
            os.remove(path)
    n = args.epochs
    straight = run(command + ["--epochs", str(n), "--checkpoint", straight_ckpt])
    first = run(command + ["--epochs", str(n // 2), "--checkpoint", split_ckpt])
    resumed = run(command + ["--epochs", str(n), "--resume", split_ckpt])
    a, b = numbers(straight), numbers(first) + numbers(resumed)
    # The first half's accuracy lines describe the network after N/2 epochs:
    # compare the straight run's epoch lines with both halves', and the final
    # accuracy lines with the resumed run's.
    epochs_a = [l for l in a if l.startswith("epoch")]
    epochs_b = [l for l in b if l.startswith("epoch")]
    final_a = [l for l in a if not l.startswith("epoch")]
    final_b = [l for l in numbers(resumed) if not l.startswith("epoch")]
    print("\n".join(["straight:"] + a + ["", "split and resumed:"] + epochs_b + final_b))
    if len(epochs_a) != n or epochs_a != epochs_b or final_a != final_b or not final_a:
        print(f"run_resume: the resumed run differs from the straight one ({len(epochs_a)} and "
              f"{len(epochs_b)} epoch lines)")
        return 1
    print(f"ok: {n // 2} + {n - n // 2} resumed epochs printed what {n} straight epochs printed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
