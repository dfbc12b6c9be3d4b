#!/usr/bin/env python3
"""--checkpoint and --resume of an example, end to end, as a crash would
use them: one run of N epochs straight; another of the same N epochs with
--checkpoint, killed (SIGKILL) once it has printed epoch K and written a
checkpoint, then carried on with --resume. Every epoch line both runs print
for the same epoch, and the final accuracy lines, must be the same
(timings aside). Exits 0 when they are, 1 when not, 77 (SKIP) when
FIXNET_DATA is unset, as the other real-data tests.

usage: run_resume.py --epochs N --kill-after K --workdir DIR -- PROGRAM [ARGS...]
"""
import os
import re
import signal
import subprocess
import time

import driver_support
from driver_support import Failure

EPOCH = re.compile(r"^epoch\s+(\d+)\s")


def epoch_lines(output):
    """{epoch: its line without timings}."""
    lines = {}
    for line in output.splitlines():
        m = EPOCH.match(line)
        if m:
            lines[int(m.group(1))] = re.sub(r"\s+[\d.]+ s\s+\d+ samples/s$", "", line).strip()
    return lines


def final_lines(output):
    return [line.strip() for line in output.splitlines() if "accuracy:" in line]


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise Failure(f"failed ({result.returncode}): {' '.join(cmd)}\n{result.stdout}\n{result.stderr}")
    return result.stdout


def run_and_kill(cmd, kill_after, checkpoint):
    """Runs cmd until it prints epoch `kill_after` and its checkpoint exists,
    then kills it; returns what it printed."""
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    printed = []
    for line in process.stdout:
        printed.append(line)
        m = EPOCH.match(line)
        if m and int(m.group(1)) >= kill_after:
            deadline = time.time() + 10
            while not os.path.exists(checkpoint) and time.time() < deadline:
                time.sleep(0.01)
            process.send_signal(signal.SIGKILL)
            break
    process.stdout.close()
    process.wait()
    if process.returncode != -signal.SIGKILL:
        raise Failure(f"the run ended ({process.returncode}) before it could be killed after "
                      f"epoch {kill_after}:\n{''.join(printed)}")
    return "".join(printed)


def main():
    parser = driver_support.argument_parser(__doc__)
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--kill-after", type=int, required=True)
    parser.add_argument("--workdir", required=True)
    driver_support.add_command(parser, "-- PROGRAM [ARGS...]")
    args, command = driver_support.parse_arguments(parser)
    driver_support.require_env("FIXNET_DATA")
    os.makedirs(args.workdir, exist_ok=True)
    checkpoint = os.path.join(args.workdir, "run.ckpt.safetensors")
    if os.path.exists(checkpoint):
        os.remove(checkpoint)
    epochs = ["--epochs", str(args.epochs)]
    straight = run(command + epochs)
    killed = run_and_kill(command + epochs + ["--checkpoint", checkpoint], args.kill_after, checkpoint)
    resumed = run(command + epochs + ["--resume", checkpoint])

    a, b = epoch_lines(straight), {**epoch_lines(killed), **epoch_lines(resumed)}
    print("straight:\n" + "\n".join(a[e] for e in sorted(a)) + "\n" + "\n".join(final_lines(straight)))
    print(f"\nkilled after epoch {args.kill_after}, then resumed:\n" + "\n".join(b[e] for e in sorted(b)) +
          "\n" + "\n".join(final_lines(resumed)))
    # The resumed run starts where the checkpoint left off, not from scratch
    # (which, seeded, would print the same).
    if 1 in epoch_lines(resumed) or not epoch_lines(resumed):
        raise Failure("the resumed run trained from the first epoch again")
    common = sorted(set(a) & set(b))
    differing = [e for e in common if a[e] != b[e]]
    if differing or args.epochs not in common or not final_lines(straight) or \
            final_lines(straight) != final_lines(resumed):
        raise Failure(f"the resumed run differs from the straight one (epochs {differing}, or the "
                      f"final lines)")
    return f"killed after epoch {args.kill_after} and resumed, the run printed what the straight run printed"


if __name__ == "__main__":
    driver_support.exit_with(main)
