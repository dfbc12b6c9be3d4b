#!/usr/bin/env python3
"""Checks check.py itself: an `expect` comment it cannot parse fails the case
(before any compilation) instead of being silently ignored, with a message
that names the file and the line."""

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check  # noqa: E402

CODE = "#include <array>\n#ifdef FIXNET_COMPILE_FAIL\n#else\n#endif\n"

BAD = [
    "// expect fixnet: no colon\n",
    "// expects: fixnet: a typo\n",
    "// expect-msvc: fixnet: an unknown compiler\n",
    "// expect:\n",
    "// Expect: fixnet: capitalised\n",
]


# Lines clang-format's reflowing at 100 columns made, the line check.py must
# name and what it must say: an expectation cut in two, two expectations run
# together into one line, an expectation run into prose.
REFLOWED = [
    ("// expect: fixnet: FIXNET_DYNAMIC_DISPATCH(blobs_dispatcher, ...) was not compiled for every\n"
     "// Highway target\n", 2, "continues the expect line above"),
    ("// expect: fixnet: this Dispatcher was not compiled for this loss; list it in\n"
     "// FIXNET_DYNAMIC_DISPATCH(Name, Net, B, Losses...) expect: L = fixnet::MeanSquaredError\n",
     2, "continues the expect line above"),
    ("// expect: fixnet: a loss\n//\n// Not listed; expect-gcc: L = fixnet::MeanSquaredError\n",
     3, "in the middle of a line"),
    ("// expect: fixnet: a loss expect-gcc: L = fixnet::MeanSquaredError\n", 1,
     "a second expect comment inside this one"),
]


def failures_for(header):
    with tempfile.NamedTemporaryFile("w", suffix=".cpp", delete=False) as f:
        f.write(header + CODE)
    try:
        # A compiler that cannot run: a case with a bad expect line must fail
        # before compiling anything.
        return check.check_case(["/nonexistent/c++"], "gcc", "include", f.name, 15)
    finally:
        os.unlink(f.name)


def main():
    failed = 0
    for bad in BAD:
        failures = failures_for("// expect: fixnet: fine\n" + bad)
        if not any("cannot parse" in x for x in failures):
            print(f"FAIL: {bad.strip()!r} was accepted: {failures}")
            failed += 1
    for header, line, says in REFLOWED:
        failures = failures_for(header + "//\n// Prose.\n")
        if not any(f".cpp:{line}: " in x and says in x for x in failures):
            print(f"FAIL: {header.strip()!r} was not rejected at line {line} with {says!r}: "
                  f"{failures}")
            failed += 1
    # The cases' own layout stays accepted: expect lines, an empty `//`,
    # prose that mentions what to expect without the keyword form.
    parsed, errors = check.read_expectations_from_lines(
        ["// expect: fixnet: a\n", "// expect-gcc: N = 1\n", "//\n", "// Prose: we expect it.\n",
         "#include <array>\n"])
    if errors or parsed != [(None, "fixnet: a"), ("gcc", "N = 1")]:
        print(f"FAIL: a well-formed header parsed as {parsed}, errors {errors}")
        failed += 1
    late = failures_for("// expect: fixnet: fine\n" + CODE + "// expect: fixnet: too late\n")
    if not any("after the leading comment block" in x for x in late):
        print(f"FAIL: an expect line after the code was accepted: {late}")
        failed += 1
    parsed, errors = check.read_expectations_from_lines(
        ["// expect: fixnet: a\n", "// expect-gcc: N = 1\n", "// expect-clang: f<1UL>\n"])
    if errors or parsed != [(None, "fixnet: a"), ("gcc", "N = 1"), ("clang", "f<1UL>")]:
        print(f"FAIL: good lines parsed as {parsed}, errors {errors}")
        failed += 1
    print("check.py rejects unparseable expect lines" if not failed else f"{failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
