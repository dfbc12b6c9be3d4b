#!/usr/bin/env python3
"""Checks check.py itself: an `expect` comment it cannot parse fails the case
(before any compilation) instead of being silently ignored."""

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
