#!/usr/bin/env python3
"""Every C++ block in the README and docs/ is code the test suite compiles:
each line of a ```cpp block (blank lines and `...` aside) must appear, in
the same order, in one source file under examples/, tests/, tools/ or
bench/ — so a snippet that drifts from the code fails this test, and the
page says which file to read for the whole program.

usage: check_snippets.py SOURCE_ROOT
"""
import glob
import os
import re
import sys

SOURCES = ("examples", "tests", "tools", "bench")


def normalise(line):
    return " ".join(line.split())


def blocks(path):
    """(line number, [lines]) of each ```cpp block in a Markdown file."""
    out, current, start = [], None, 0
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if current is None and re.match(r"^\s*```cpp\s*$", line):
                current, start = [], number
            elif current is not None and re.match(r"^\s*```\s*$", line):
                out.append((start, current))
                current = None
            elif current is not None:
                current.append(line)
    return out


def in_order(needles, haystack):
    position = 0
    for needle in needles:
        try:
            position = haystack.index(needle, position) + 1
        except ValueError:
            return False
    return True


def main():
    root = sys.argv[1]
    pages = [os.path.join(root, "README.md")] + sorted(glob.glob(os.path.join(root, "docs", "*.md")))
    sources = {}
    for folder in SOURCES:
        for path in glob.glob(os.path.join(root, folder, "**", "*.[ch]pp"), recursive=True):
            with open(path, encoding="utf-8") as f:
                sources[os.path.relpath(path, root)] = [normalise(l) for l in f]
    failures = checked = 0
    for page in pages:
        for start, lines in blocks(page):
            wanted = [normalise(l) for l in lines if normalise(l) and normalise(l) not in ("...", "// ...")]
            checked += 1
            found = [name for name, text in sources.items() if in_order(wanted, text)]
            where = f"{os.path.relpath(page, root)}:{start}"
            if found:
                print(f"ok: {where} is in {found[0]}")
            else:
                failures += 1
                print(f"FAIL: {where}: this C++ block is not in any source file the suite builds "
                      f"(first line: {wanted[0] if wanted else '(empty)'})")
    print(f"{checked} C++ blocks checked, {failures} not found in the sources")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
