#!/usr/bin/env python3
"""Runs fixnet's compile-fail cases through the real compiler.

Each case is one .cpp file whose first lines hold one or more

    // expect: <substring>         (with every compiler)
    // expect-gcc: <substring>     (with GCC only: its rendering of template arguments)
    // expect-clang: <substring>   (with Clang only)

comments (at least one plain `expect:`), and whose code selects, with
`#ifdef FIXNET_COMPILE_FAIL`, a wrong
version (which must not compile) and in its `#else` branch a correct twin
(which must compile). For each case this script

  1. compiles it with -DFIXNET_COMPILE_FAIL: the compiler must fail, and every
     expected substring must appear in the first LINES lines of its
     diagnostics (what a user reads first);
  2. compiles it without: the compiler must succeed, with no warning.

Every expectation is one whole line. A comment line that mentions `expect`
but cannot be read as one is an error, named `FILE:LINE:`, rather than
silently ignored (clang-format's reflowing at 100 columns makes them):

  - a comment starting with `expect` that is not one of the three forms, or
    has no text (`// expect fixnet: ...`, `// Expect: ...`, `// expect:`);
  - `expect:`, `expect-gcc:` or `expect-clang:` in the middle of a comment
    line (`// ...Losses...) expect: L = ...`: two lines reflowed into one);
  - a non-empty comment line right after an expect line (its continuation:
    the expected text was cut in two, and only the first half is checked);
  - an expect comment after the leading comment block (never read).

Usage (Meson passes the compiler as its command array after `--`):

    check.py --include DIR [--lines 15] CASE.cpp [CASE.cpp ...] -- c++ [args...]

and, to check that meson.build registers every case file in DIR:

    check.py --check-listed DIR NAME [NAME ...]

Cases run one after another (no parallelism of their own: the test runner
already runs several at once). Exit status 0 when every case passed.
"""

import argparse
import os
import re
import subprocess
import sys

EXPECT = re.compile(r"^\s*//\s*expect(?:-(gcc|clang))?:\s*(\S.*?)\s*$")
# Any comment that looks like it means an expectation.
EXPECT_LIKE = re.compile(r"^\s*//\s*expect", re.IGNORECASE)
# An expectation's keyword anywhere but at the start of a comment line.
EXPECT_INSIDE = re.compile(r"\S.*?\bexpect(?:-\w+)?\s*:", re.IGNORECASE)
# A comment line with text (not the empty `//` that ends the expect block).
COMMENT_WITH_TEXT = re.compile(r"^\s*//.*\S")

# Flags both compilations share. -fsyntax-only still instantiates every
# template the snippet uses, which is where all of fixnet's checks live.
COMMON_FLAGS = ["-std=c++20", "-fsyntax-only", "-fdiagnostics-color=never"]
# The correct twin must also be clean at the project's warning level.
TWIN_FLAGS = ["-Wall", "-Wextra", "-Wpedantic", "-Werror"]


FORMS = "'// expect: <text>', '// expect-gcc: <text>' or '// expect-clang: <text>'"


def read_expectations(path):
    """The case's expectations: a list of (compiler or None, substring) from
    the leading comment block, and a list of errors, each `PATH:LINE: ...`,
    for comment lines that mention an expectation but cannot be read as one."""
    with open(path, encoding="utf-8") as f:
        return read_expectations_from_lines(f, path)


def read_expectations_from_lines(lines, path="<case>"):
    """As read_expectations, from the file's lines."""
    expectations = []
    errors = []
    in_header = True
    after_expect = False  # the previous line was an expect line

    def error(number, text):
        errors.append(f"{path}:{number}: {text}")

    for number, line in enumerate(lines, 1):
        if in_header and not line.strip():
            after_expect = False
            continue
        if in_header and not line.lstrip().startswith("//"):
            in_header = False
        comment = line.lstrip().startswith("//")
        if not EXPECT_LIKE.match(line):
            if in_header and after_expect and COMMENT_WITH_TEXT.match(line):
                error(number, f"{line.strip()!r} continues the expect line above (reflowed by "
                              "clang-format?): only the text on the expect line itself is checked; "
                              "keep each expectation on one line (split a long one into several "
                              "expect lines, each a substring of the message)")
            elif comment and EXPECT_INSIDE.match(line.lstrip()[2:].strip()):
                error(number, f"an expect comment in the middle of a line is never checked "
                              f"(reflowed by clang-format?): {line.strip()!r}; put it on a line "
                              f"of its own: {FORMS}")
            after_expect = False
            continue
        match = EXPECT.match(line)
        after_expect = in_header
        if not in_header:
            error(number, f"an expect comment after the leading comment block "
                          f"is never checked: {line.strip()!r}")
        elif not match:
            error(number, f"cannot parse {line.strip()!r} (write {FORMS})")
        else:
            expectations.append((match.group(1), match.group(2)))
            if EXPECT_INSIDE.match(match.group(2)):
                error(number, f"a second expect comment inside this one is never checked: "
                              f"{line.strip()!r}; put it on a line of its own")
    return expectations, errors


def compiler_family(compiler):
    """'gcc', 'clang' or None, from the compiler's --version."""
    try:
        result = subprocess.run(compiler + ["--version"], capture_output=True, text=True,
                                env=dict(os.environ, LC_ALL="C", LANG="C"))
    except OSError:
        return None
    version = result.stdout.lower()
    if "clang" in version:
        return "clang"
    if "free software foundation" in version or "gcc" in version or "g++" in version:
        return "gcc"
    return None


def compile_case(compiler, include, source, defines, flags):
    # An absolute path, so that a case naming itself through __BASE_FILE__
    # (HWY_TARGET_INCLUDE) is found by Clang too, which looks for quoted
    # includes beside the including header rather than in the working directory.
    command = compiler + COMMON_FLAGS + flags + ["-I" + include] + defines + [os.path.abspath(source)]
    # The C locale makes GCC quote with ' rather than typographic quotes, so
    # that expectations are plain ASCII whatever the user's locale.
    env = dict(os.environ, LC_ALL="C", LANG="C")
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    return result.returncode, result.stderr + result.stdout, command


def head(text, lines):
    return "\n".join(text.splitlines()[:lines])


def indent(text):
    return "\n".join("    | " + line for line in text.splitlines()) or "    | (nothing)"


def check_case(compiler, family, include, source, lines):
    """Returns a list of failure explanations (empty when the case passed)."""
    name = os.path.basename(source)
    failures = []

    with open(source, encoding="utf-8") as f:
        text = f.read()
    parsed, errors = read_expectations(source)
    failures += errors
    if not any(which is None for which, _ in parsed):
        failures.append(f"{name}: no '// expect: <substring>' line at the top of the file")
    expectations = [e for which, e in parsed if which is None or which == family]
    if "FIXNET_COMPILE_FAIL" not in text or "#else" not in text:
        failures.append(f"{name}: needs '#ifdef FIXNET_COMPILE_FAIL' (wrong code) and '#else' (correct twin)")
    if failures:
        return failures

    # 1. The wrong version must fail, with the expected message up front.
    status, output, command = compile_case(compiler, include, source, ["-DFIXNET_COMPILE_FAIL"], [])
    first = head(output, lines)
    if status == 0:
        failures.append(
            f"{name}: expected a compile error, but it compiled.\n"
            f"  command: {' '.join(command)}\n"
            f"  expected in the first {lines} lines:\n"
            + "\n".join(f"    {e!r}" for e in expectations)
            + "\n  compiler output:\n" + indent(first))
    else:
        missing = [e for e in expectations if e not in first]
        if missing:
            found_later = [e for e in missing if e in output]
            failures.append(
                f"{name}: the compile error does not say what was expected in its first {lines} lines.\n"
                f"  command: {' '.join(command)}\n"
                "  missing:\n"
                + "\n".join(f"    {e!r}" + ("  (appears later in the output)" if e in found_later else "")
                            for e in missing)
                + f"\n  first {lines} lines of the diagnostics (of {len(output.splitlines())}):\n"
                + indent(first))

    # 2. The correct twin must compile, cleanly.
    status, output, command = compile_case(compiler, include, source, [], TWIN_FLAGS)
    if status != 0:
        failures.append(
            f"{name}: the correct twin (without -DFIXNET_COMPILE_FAIL) does not compile.\n"
            f"  command: {' '.join(command)}\n"
            f"  first {lines} lines of the diagnostics (of {len(output.splitlines())}):\n"
            + indent(head(output, lines)))
    return failures


def check_listed(directory, listed):
    """Every case file in `directory` is registered in meson.build, and every
    registered name has its file."""
    present = {f[:-4] for f in os.listdir(directory) if f.endswith(".cpp")}
    unlisted = sorted(present - set(listed))
    missing = sorted(set(listed) - present)
    for name in unlisted:
        print(f"{name}.cpp is not listed in compile_fail_cases (tests/compile_fail/meson.build)")
    for name in missing:
        print(f"{name} is listed in compile_fail_cases but {name}.cpp does not exist")
    if not unlisted and not missing:
        print(f"all {len(present)} cases are registered")
    return 1 if unlisted or missing else 0


def main(argv):
    if argv[:1] == ["--check-listed"] and len(argv) >= 2:
        return check_listed(argv[1], argv[2:])
    if "--" not in argv:
        print("usage: check.py --include DIR [--lines N] CASE.cpp... -- COMPILER [ARGS...]", file=sys.stderr)
        return 2
    split = argv.index("--")
    compiler = argv[split + 1:]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--include", required=True, help="fixnet's include directory")
    parser.add_argument("--lines", type=int, default=15,
                        help="how many leading lines of diagnostics must hold the expected text")
    parser.add_argument("cases", nargs="+", help="compile-fail case files")
    args = parser.parse_args(argv[:split])
    if not compiler:
        parser.error("no compiler after '--'")

    family = compiler_family(compiler)
    failed = 0
    for source in args.cases:
        failures = check_case(compiler, family, args.include, source, args.lines)
        name = os.path.basename(source)
        if failures:
            failed += 1
            print(f"FAIL {name}")
            for failure in failures:
                print(failure)
        else:
            shown = [e for which, e in read_expectations(source)[0] if which in (None, family)]
            print(f"ok   {name} ({family or 'compiler'}): fails with {', '.join(repr(e) for e in shown)}; "
                  "its twin compiles")
    if len(args.cases) > 1:
        print(f"{len(args.cases) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
