"""What fixnet's Python test drivers share (tests/run_*.py, tests/torch_interop.py,
tests/fuzz/run_fuzzer.py): Meson's exit-code protocol, the program to run
after "--", the real-data skip, and running a program with its output shown.

A driver's main() returns its verdict, or raises Failure or Skip; exit_with
turns that into the line Meson's log shows first and the exit status:

    PASS: <verdict>   exit 0
    FAIL: <message>   exit 1
    SKIP: <message>   exit 77 (Meson's code for a skipped test)
"""

import argparse
import os
import shlex
import subprocess
import sys

SKIP = 77


class Failure(Exception):
    """A check that did not hold; the message says which, and what was found."""


class Skip(Exception):
    """The test cannot run on this machine; the message says why."""


def exit_with(main):
    """Runs main() and exits with its verdict (see the module's docstring)."""
    try:
        verdict = main()
    except Skip as e:
        print(f"SKIP: {e}")
        sys.exit(SKIP)
    except Failure as e:
        print(f"FAIL: {e}")
        sys.exit(1)
    print(f"PASS: {verdict}")
    sys.exit(0)


def argument_parser(doc):
    """A parser described by the first paragraph of the driver's docstring."""
    return argparse.ArgumentParser(description=doc.split("\n\n")[0])


def add_command(parser, usage="-- EXAMPLE [ARGS...]"):
    """The program to run and its arguments, after "--": see parse_arguments."""
    parser.add_argument("command", nargs=argparse.REMAINDER, help=usage)


def parse_arguments(parser):
    """(the parsed arguments, the program to run without the "--" before it);
    a usage error when there is no program."""
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("expected the program to run after --")
    return args, command


def add_skip_unless_env(parser):
    parser.add_argument("--skip-unless-env", metavar="VAR",
                        help="skip (exit 77) unless the environment variable VAR is set")


def require_env(variable):
    """Skip unless $variable is set: it names the data the example needs."""
    if variable and not os.environ.get(variable):
        raise Skip(f"${variable} is not set, so the example's data is not on this machine "
                   f"(for MNIST, the build sets it when ../shared/datasets/mnist exists beside the project)")


def run_shown(command, timeout=None):
    """Runs command (its items made strings), prints the command, then its
    standard output and error, and returns the CompletedProcess. Failure when
    it cannot be started or runs longer than timeout seconds."""
    command = [str(c) for c in command]
    print("running:", shlex.join(command), flush=True)
    try:
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise Failure(f"could not run {command[0]}: {e}") from e
    sys.stdout.write(result.stdout)
    sys.stdout.write(result.stderr)
    return result


def expect_success(result):
    """Failure unless the program that gave result exited with status 0."""
    if result.returncode != 0:
        raise Failure(f"{result.args[0]} exited with status {result.returncode}")
    return result


# What the examples print and write.

def read_lines(path, what="the CSV"):
    """The lines of a file the example wrote; Failure when it cannot be read."""
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().splitlines()
    except OSError as e:
        raise Failure(f"cannot read {what} the example wrote: {e}") from e


def only_match(pattern, lines, form):
    """The match of the one line of lines that pattern matches; Failure,
    naming the line's form ('rmse: X'), when there is none or more than one."""
    matches = [m for m in map(pattern.match, lines) if m]
    if len(matches) != 1:
        raise Failure(f"expected one '{form}' line, found {len(matches)}")
    return matches[0]


def accuracy_above(match, min_accuracy, label="accuracy"):
    """C/T from a match of an accuracy line 'C/T = P%' (C and T its first two
    groups); Failure unless it makes sense and is above min_accuracy."""
    correct, total = int(match.group(1)), int(match.group(2))
    if total <= 0 or not 0 <= correct <= total:
        raise Failure(f"nonsensical accuracy {correct}/{total}")
    accuracy = correct / total
    if not accuracy > min_accuracy:
        raise Failure(f"{label} {accuracy:.4f} is not above {min_accuracy}")
    return accuracy
