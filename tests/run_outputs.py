#!/usr/bin/env python3
"""Fault tests of an example's output files and flags (examples/output_files.hpp):

    run_outputs.py --workdir DIR --header TEXT --short=ARGS --long=ARGS
                   [--output=FLAG]... [--refuse='ARGS => TEXT']... [--expect='ARGS => REGEX']...
                   [--diverge='ARGS => TEXT']...
                   [--data-env VAR] [--skip-unless-env VAR] [--fsize-limit BYTES]
                   -- EXAMPLE [ARGS...]

(ARGS start with "--", hence the "=" form.)

Every run has the working directory DIR (so that default outputs land there).
EXAMPLE [ARGS...] is run with --short ARGS (a run of a few seconds) or --long
ARGS (one that lasts until it is killed), --csv DIR/curve.csv added; then:

1. a short run writes the curve, which must parse (a header starting with
   TEXT, complete rows of as many fields) and leave no curve.csv.partial: the
   "previous" file;
2. a long run is sent SIGINT, another SIGTERM, once curve.csv.partial holds 3
   rows: each must die of its signal, say on stderr where its partial curve
   is, leave curve.csv byte for byte as it was and a partial file that parses;
3. a long run under a file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored: as a
   full disk) must end with status 1 and a message naming the partial file
   with the system's reason, not a signal or an abort, curve.csv unchanged
   and the partial file cut back to whole rows;
4. /dev/full given to each --output flag (and --csv), and standard output
   sent to /dev/full, must end with status 1 and a message, not an abort;
5. a file that is not a curve is refused without --force (unchanged, nothing
   trained) and replaced with it;
6. with --data-env VAR, a copy of $VAR's data files: naming one of them as the
   CSV is refused even with --force, and the file is unchanged;
7. each --refuse ARGS (EXAMPLE ARGS --csv '') must exit non-zero before any
   training, its output containing TEXT; each --expect ARGS must exit 0 with
   its output matching REGEX; each --diverge ARGS must start training, then
   exit with status 1 and TEXT on standard error (a run that diverges).

Exits 0 when all hold, 1 otherwise, 77 (SKIP) without $VAR of --skip-unless-env.
"""

import os
import re
import resource
import shlex
import shutil
import signal
import subprocess
import time

import driver_support
from driver_support import Failure

TRAINING_LINE = re.compile(r"^(epoch|iteration)\s+\d+\s", re.M)


def run(command, cwd, timeout=600, **kwargs):
    return subprocess.run(command, cwd=cwd, capture_output=kwargs.pop("capture", True), text=True,
                          timeout=timeout, check=False, **kwargs)


def describe(result):
    return f"status {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


def parse_curve(path, header, min_rows=0):
    """Rows of a curve CSV; Failure unless it is whole."""
    with open(path, "rb") as f:
        data = f.read()
    text = data.decode("utf-8", errors="replace")
    if data and not text.endswith("\n"):
        raise Failure(f"{path}: the last row is torn (no newline at the end): {text[-80:]!r}")
    lines = text.splitlines()
    if not lines or not lines[0].startswith(header):
        raise Failure(f"{path}: expected a header starting with {header!r}, found {lines[:1]}")
    columns = len(lines[0].split(","))
    for number, row in enumerate(lines[1:], start=2):
        fields = row.split(",")
        if len(fields) != columns:
            raise Failure(f"{path}:{number}: expected {columns} fields, found {row!r}")
        try:
            int(fields[0])
            float(fields[1])
        except ValueError:
            raise Failure(f"{path}:{number}: expected numbers, found {row!r}") from None
    if len(lines) - 1 < min_rows:
        raise Failure(f"{path}: expected at least {min_rows} rows, found {len(lines) - 1}")
    return lines[1:]


def read(path):
    with open(path, "rb") as f:
        return f.read()


def expect_message(result, what, *texts):
    """An orderly refusal: status 1, no signal, no abort, the texts in the output."""
    output = result.stdout + result.stderr
    if result.returncode != 1:
        raise Failure(f"{what}: expected exit status 1 with a message, got {describe(result)}")
    if "terminate called" in output or "Aborted" in output:
        raise Failure(f"{what}: the program aborted: {describe(result)}")
    for text in texts:
        if text not in output:
            raise Failure(f"{what}: expected {text!r} in the output: {describe(result)}")


def rows_in(path):
    try:
        with open(path, "rb") as f:
            return f.read().count(b"\n") - 1
    except OSError:
        return -1


def start_and_wait(command, cwd, partial, rows, preexec=None):
    """Starts command; returns (process, True) once `partial` holds `rows`
    rows, or (process, False) if the process ended first."""
    if os.path.exists(partial):
        os.remove(partial)  # an earlier run's: its rows must not count
    def default_signals():
        # A test started from a background shell inherits SIGINT ignored,
        # which the example (rightly) keeps: give it the default.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if preexec:
            preexec()

    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, preexec_fn=default_signals)
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            return process, False
        if rows_in(partial) >= rows:
            return process, True
        time.sleep(0.02)
    process.kill()
    raise Failure(f"{shlex.join(command)}: {partial} did not reach {rows} rows in 60 s")


def main():
    parser = driver_support.argument_parser(__doc__)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--header", required=True, help="start of the CSV's header line")
    parser.add_argument("--short", required=True, help="arguments of a run of a few seconds")
    parser.add_argument("--long", required=True, help="arguments of a run that lasts until killed")
    parser.add_argument("--output", action="append", default=[], help="another output flag (--save, --plot)")
    parser.add_argument("--refuse", action="append", default=[], metavar="'ARGS => TEXT'")
    parser.add_argument("--expect", action="append", default=[], metavar="'ARGS => REGEX'")
    parser.add_argument("--diverge", action="append", default=[], metavar="'ARGS => TEXT'")
    parser.add_argument("--data-env", help="environment variable naming the input data directory")
    driver_support.add_skip_unless_env(parser)
    parser.add_argument("--fsize-limit", type=int, default=1000)
    driver_support.add_command(parser)
    args, command = driver_support.parse_arguments(parser)
    driver_support.require_env(args.skip_unless_env)

    if os.path.exists(command[0]):
        command[0] = os.path.abspath(command[0])  # the runs have another working directory
    work = os.path.abspath(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    csv = os.path.join(work, "curve.csv")
    partial = csv + ".partial"
    short = shlex.split(args.short)
    long = shlex.split(args.long)
    checks = []

    # 1. The previous run's curve.
    result = run(command + short + ["--csv", csv], work)
    if result.returncode != 0:
        raise Failure(f"the short run failed: {describe(result)}")
    parse_curve(csv, args.header, 1)
    if os.path.exists(partial):
        raise Failure(f"{partial} is left after a run that finished")
    previous = read(csv)
    checks.append("a finished run writes a whole curve and no partial file")

    # 2. SIGINT and SIGTERM mid-run.
    for sig in (signal.SIGINT, signal.SIGTERM):
        process, running = start_and_wait(command + long + ["--csv", csv], work, partial, 3)
        if not running:
            raise Failure(f"the long run ended (status {process.returncode}) before it could be killed: "
                          f"{process.stderr.read()}")
        process.send_signal(sig)
        try:
            _, stderr = process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            raise Failure(f"{sig.name} did not end the run within 120 s") from None
        if process.returncode != -sig:
            raise Failure(f"after {sig.name}: expected death by the signal, got status {process.returncode}: "
                          f"{stderr}")
        if read(csv) != previous:
            raise Failure(f"after {sig.name}: {csv} changed; the previous curve is lost")
        rows = parse_curve(partial, args.header, 3)
        if "interrupted" not in stderr or partial not in stderr:
            raise Failure(f"after {sig.name}: expected the program to say where its partial curve is, "
                          f"stderr: {stderr!r}")
        checks.append(f"{sig.name}: the previous curve is intact, the partial one whole ({len(rows)} rows)")

    # 3. A write that fails mid-run (a file-size limit, as a full disk).
    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (args.fsize_limit, args.fsize_limit))

    process = subprocess.Popen(command + long + ["--csv", csv], cwd=work, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, preexec_fn=limited)
    stdout, stderr = process.communicate(timeout=600)
    result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    expect_message(result, "a write that fails (file-size limit)", partial, os.strerror(27))  # EFBIG
    if read(csv) != previous:
        raise Failure(f"after a failed write: {csv} changed")
    parse_curve(partial, args.header)
    checks.append("a failed write ends with status 1, naming the file and the reason; the partial curve "
                  "is cut back to whole rows")

    # 4. /dev/full for every output, and for standard output.
    for flag in ["--csv"] + args.output:
        extra = [a for a in short if a != "--no-plot"] if flag == "--plot" else short
        extra = extra + ["--csv", csv] if flag != "--csv" else extra
        result = run(command + extra + [flag, "/dev/full"], work)
        expect_message(result, f"{flag} /dev/full", "/dev/full", "error:")
    with open("/dev/full", "w") as full:
        result = run(command + short + ["--csv", csv], work, capture=False, stdout=full,
                     stderr=subprocess.PIPE)
    if result.returncode != 1 or "terminate called" in (result.stderr or ""):
        raise Failure(f"standard output on /dev/full: expected status 1, got {result.returncode}: "
                      f"{result.stderr}")
    checks.append(f"/dev/full for {', '.join(['--csv'] + args.output)} and stdout: status 1 and a message")

    # 5. A file that is not a curve: refused unless --force.
    notes = os.path.join(work, "notes.txt")
    with open(notes, "w") as f:
        f.write("keep me\n")
    result = run(command + short + ["--csv", notes], work)
    expect_message(result, "a file that is not a curve", "--force", notes)
    if read(notes) != b"keep me\n" or TRAINING_LINE.search(result.stdout):
        raise Failure(f"a file that is not a curve was changed, or training ran: {describe(result)}")
    result = run(command + short + ["--csv", notes, "--force"], work)
    if result.returncode != 0:
        raise Failure(f"--force: {describe(result)}")
    parse_curve(notes, args.header, 1)
    checks.append("a file that is not a curve is refused without --force, replaced with it")

    # 6. The input data are never replaced.
    if args.data_env:
        source = os.environ.get(args.data_env, "")
        copy = os.path.join(work, "data")
        os.makedirs(copy)
        names = sorted(n for n in os.listdir(source) if "ubyte" in n)
        for name in names:
            shutil.copy(os.path.join(source, name), copy)
        victim = os.path.join(copy, names[0])
        before = read(victim)
        result = run(command + short + ["--data", copy, "--csv", victim, "--force"], work)
        expect_message(result, "--csv naming an input file", "input data", victim)
        if read(victim) != before:
            raise Failure(f"the input file {victim} was changed")
        checks.append("an input data file is refused even with --force")

    # 7. Flags.
    for flag_args, text in (r.split(" => ", 1) for r in args.refuse):
        result = run(command + shlex.split(flag_args) + ["--csv", ""], work)
        output = result.stdout + result.stderr
        if result.returncode <= 0 or text not in output or TRAINING_LINE.search(result.stdout):
            raise Failure(f"{flag_args}: expected a refusal naming {text!r} before any training, got "
                          f"{describe(result)}")
        checks.append(f"{flag_args}: refused ({text})")
    for flag_args, regex in (e.split(" => ", 1) for e in args.expect):
        result = run(command + shlex.split(flag_args) + ["--csv", ""], work)
        if result.returncode != 0 or not re.search(regex, result.stdout, re.M):
            raise Failure(f"{flag_args}: expected status 0 and /{regex}/, got {describe(result)}")
        checks.append(f"{flag_args}: /{regex}/")
    for flag_args, text in (d.split(" => ", 1) for d in args.diverge):
        result = run(command + shlex.split(flag_args) + ["--csv", ""], work)
        if result.returncode != 1 or text not in result.stderr or not TRAINING_LINE.search(result.stdout):
            raise Failure(f"{flag_args}: expected training, then status 1 and {text!r} on stderr, got "
                          f"{describe(result)}")
        checks.append(f"{flag_args}: diverges ({text})")

    print("\n".join("ok: " + c for c in checks))
    return f"all {len(checks)} checks hold"


if __name__ == "__main__":
    driver_support.exit_with(main)
