#!/usr/bin/env python3
"""Lists fixnet's public headers, for the header self-containment test.

    list_headers.py INCLUDE_DIR
        prints every header under INCLUDE_DIR/fixnet (*.hpp), relative to
        INCLUDE_DIR, one per line, sorted: what meson.build generates one
        translation unit for.

    list_headers.py --check INCLUDE_DIR HEADER [HEADER ...]
        fails, naming the difference, when the headers on disk are not the
        ones given (those the build directory was configured with): a header
        added or removed since then needs `meson setup --reconfigure`.
"""

import os
import sys


def public_headers(include_dir):
    headers = []
    root = os.path.join(include_dir, "fixnet")
    for directory, _, files in os.walk(root):
        for name in files:
            if name.endswith(".hpp"):
                path = os.path.relpath(os.path.join(directory, name), include_dir)
                headers.append(path.replace(os.sep, "/"))
    return sorted(headers)


def main(argv):
    if len(argv) == 1:
        print("\n".join(public_headers(argv[0])))
        return 0
    if len(argv) >= 2 and argv[0] == "--check":
        on_disk = set(public_headers(argv[1]))
        configured = set(argv[2:])
        added = sorted(on_disk - configured)
        removed = sorted(configured - on_disk)
        for header in added:
            print(f"{header}: new since the build directory was configured, so not tested")
        for header in removed:
            print(f"{header}: configured but no longer on disk")
        if added or removed:
            print("run `meson setup --reconfigure <builddir>` to test the headers that are there now")
            return 1
        print(f"all {len(on_disk)} public headers are tested")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
