#!/usr/bin/env python3
"""Smoke tests of model files in the examples: a training example's --save,
and `classify` on what it saved.

    run_save_classify.py [--skip-unless-env VAR] [--accuracy-label L] [--save-flag F]
                         --model PATH -- TRAIN [ARGS...] -- CLASSIFY [ARGS...]

runs TRAIN ARGS --save PATH (PATH removed first; --save-flag F: F PATH), then CLASSIFY ARGS --model
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

import os
import re
import time

import driver_support
from driver_support import Failure

PROGRESS_LINE = re.compile(r"^(epoch|iteration)\s+\d+\s")


def accuracy_line(output, label, who):
    pattern = re.compile(r"^" + re.escape(label) + r":\s*(\d+/\d+ = \S+%) \(loss (\S+)\)")
    try:
        match = driver_support.only_match(pattern, output.splitlines(), f"{label}: C/T = P% (loss X)")
    except Failure as e:
        raise Failure(f"{who}: {e}") from None
    return match.group(1), match.group(2)


def save_and_classify(args, train, classify):
    if os.path.exists(args.model):
        os.remove(args.model)
    trained = driver_support.expect_success(driver_support.run_shown(train + [args.save_flag, args.model],
                                                                     args.timeout))
    if f"model saved to {args.model}" not in trained.stdout:
        raise Failure(f"{train[0]} did not say 'model saved to {args.model}'")
    if not os.path.isfile(args.model):
        raise Failure(f"{args.model} was not written")
    expected = accuracy_line(trained.stdout, args.accuracy_label, train[0])

    classified = driver_support.expect_success(driver_support.run_shown(classify + ["--model", args.model],
                                                                        args.timeout))
    got = accuracy_line(classified.stdout, args.accuracy_label, classify[0])
    if got != expected:
        raise Failure(f"classify reports {got[0]} (loss {got[1]}); the training run reported "
                      f"{expected[0]} (loss {expected[1]})")
    return f"the saved model's {args.accuracy_label} is {got[0]} (loss {got[1]}) in both runs"


def expect_refusal(args, train):
    start = time.monotonic()
    result = driver_support.run_shown(train, args.timeout)
    seconds = time.monotonic() - start
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
    parser = driver_support.argument_parser(__doc__)
    parser.add_argument("--model", help="where the training example saves its model")
    parser.add_argument("--save-flag", default="--save",
                        help="the training example's flag that writes the model (--save-quantized)")
    parser.add_argument("--accuracy-label", default="test accuracy",
                        help="the label of the accuracy line both programs print")
    parser.add_argument("--expect-refusal", metavar="TEXT",
                        help="expect --save to be refused before training, with TEXT on stderr")
    parser.add_argument("--max-seconds", type=float, default=10,
                        help="with --expect-refusal: how long the refusal may take")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds before a program is killed")
    driver_support.add_skip_unless_env(parser)
    driver_support.add_command(parser, "-- TRAIN [ARGS...] [-- CLASSIFY [ARGS...]]")
    args, command = driver_support.parse_arguments(parser)
    train, classify = command, []
    if "--" in command:
        split = command.index("--")
        train, classify = command[:split], command[split + 1:]
    if not train:
        parser.error("expected the training example after --")
    if args.expect_refusal is None and (not classify or not args.model):
        parser.error("expected --model PATH and -- TRAIN ... -- CLASSIFY ...")

    driver_support.require_env(args.skip_unless_env)
    if args.expect_refusal is not None:
        return expect_refusal(args, train)
    return save_and_classify(args, train, classify)


if __name__ == "__main__":
    driver_support.exit_with(main)
