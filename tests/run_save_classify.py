#!/usr/bin/env python3
"""Smoke tests of model files in the examples: a training example's --save,
and `classify` on what it saved.

    run_save_classify.py [--skip-unless-env VAR] [--accuracy-label L]
                         --model PATH -- TRAIN [ARGS...] -- CLASSIFY [ARGS...]

runs TRAIN ARGS --save PATH (PATH removed first), then CLASSIFY ARGS --model
PATH. TRAIN must exit with status 0, print "model saved to PATH" and one line
"L: C/T = P% (loss X)" (L is "test accuracy" unless --accuracy-label says
otherwise); CLASSIFY must exit with status 0 and print the same line, to the
last digit: the saved model is the one the training run evaluated last, and
classify evaluates it on the same images in the same batches.

    run_save_classify.py --expect-refusal TEXT [--max-seconds S] -- TRAIN [ARGS...]

runs TRAIN ARGS (which should hold a --save that cannot work) and passes when
it exits with a non-zero status within S seconds (default 10), having
printed TEXT on stderr and no training progress ("epoch N", "iteration K"):
--save must be refused before the training starts.

With --skip-unless-env VAR, when the environment variable VAR is unset or
empty (the data is not on this machine), nothing is run: exit status 77,
Meson's code for a skipped test. Exits 0 on success, 1 on failure.
"""

import argparse
import os
import re
import subprocess
import sys
import time

SKIP = 77
PROGRESS_LINE = re.compile(r"^(epoch|iteration)\s+\d+\s")


class Failure(Exception):
    pass


def run(command, timeout):
    print("running:", " ".join(command), flush=True)
    start = time.monotonic()
    try:
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise Failure(f"could not run {command[0]}: {e}") from e
    seconds = time.monotonic() - start
    sys.stdout.write(result.stdout)
    sys.stdout.write(result.stderr)
    return result, seconds


def accuracy_line(output, label, who):
    pattern = re.compile(r"^" + re.escape(label) + r":\s*(\d+/\d+ = \S+%) \(loss (\S+)\)")
    matches = [m for m in map(pattern.match, output.splitlines()) if m]
    if len(matches) != 1:
        raise Failure(f"{who}: expected one '{label}: C/T = P% (loss X)' line, found {len(matches)}")
    return matches[0].group(1), matches[0].group(2)


def save_and_classify(args, train, classify):
    if os.path.exists(args.model):
        os.remove(args.model)
    trained, _ = run(train + ["--save", args.model], args.timeout)
    if trained.returncode != 0:
        raise Failure(f"{train[0]} exited with status {trained.returncode}")
    if f"model saved to {args.model}" not in trained.stdout:
        raise Failure(f"{train[0]} did not say 'model saved to {args.model}'")
    if not os.path.isfile(args.model):
        raise Failure(f"{args.model} was not written")
    expected = accuracy_line(trained.stdout, args.accuracy_label, train[0])

    classified, _ = run(classify + ["--model", args.model], args.timeout)
    if classified.returncode != 0:
        raise Failure(f"{classify[0]} exited with status {classified.returncode}")
    got = accuracy_line(classified.stdout, args.accuracy_label, classify[0])
    if got != expected:
        raise Failure(f"classify reports {got[0]} (loss {got[1]}); the training run reported "
                      f"{expected[0]} (loss {expected[1]})")
    return f"the saved model's {args.accuracy_label} is {got[0]} (loss {got[1]}) in both runs"


def expect_refusal(args, train):
    result, seconds = run(train, args.timeout)
    if result.returncode == 0:
        raise Failure(f"{train[0]} exited with status 0: expected it to refuse --save")
    if args.expect_refusal not in result.stderr:
        raise Failure(f"{train[0]}'s error does not say '{args.expect_refusal}'")
    progress = [line for line in result.stdout.splitlines() if PROGRESS_LINE.match(line)]
    if progress:
        raise Failure(f"{train[0]} started training before refusing --save: {progress[0]!r}")
    if seconds > args.max_seconds:
        raise Failure(f"{train[0]} took {seconds:.1f} s to refuse --save; expected under "
                      f"{args.max_seconds} s")
    return f"refused in {seconds:.2f} s, before training: '{args.expect_refusal}'"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="where the training example saves its model")
    parser.add_argument("--accuracy-label", default="test accuracy",
                        help="the label of the accuracy line both programs print")
    parser.add_argument("--expect-refusal", metavar="TEXT",
                        help="expect --save to be refused before training, with TEXT on stderr")
    parser.add_argument("--max-seconds", type=float, default=10,
                        help="with --expect-refusal: how long the refusal may take")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds before a program is killed")
    parser.add_argument("--skip-unless-env", metavar="VAR",
                        help="skip (exit 77) unless the environment variable VAR is set")
    parser.add_argument("command", nargs=argparse.REMAINDER,
                        help="-- TRAIN [ARGS...] [-- CLASSIFY [ARGS...]]")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    train, classify = command, []
    if "--" in command:
        split = command.index("--")
        train, classify = command[:split], command[split + 1:]
    if not train:
        parser.error("expected the training example after --")
    if args.expect_refusal is None and (not classify or not args.model):
        parser.error("expected --model PATH and -- TRAIN ... -- CLASSIFY ...")

    if args.skip_unless_env and not os.environ.get(args.skip_unless_env):
        print(f"SKIP: ${args.skip_unless_env} is not set, so the example's data is not on this machine "
              f"(for MNIST, the build sets it when ../shared/datasets/mnist exists beside the project)")
        return SKIP

    try:
        verdict = (expect_refusal(args, train) if args.expect_refusal is not None
                   else save_and_classify(args, train, classify))
    except Failure as e:
        print(f"FAIL: {e}")
        return 1
    print(f"PASS: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
