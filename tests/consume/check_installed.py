#!/usr/bin/env python3
"""Installs fixnet from a configured build directory into a temporary prefix
(meson install --destdir) and builds a program against it the way the README
says a plain compiler command line does: with `pkg-config --cflags --libs
fixnet`. Runs the program and expects exit status 0.

usage: check_installed.py BUILD_DIR PROGRAM.cpp -- COMPILER [ARGS...]
"""
import os
import subprocess
import sys
import tempfile


def main() -> int:
    sep = sys.argv.index("--")
    build_dir, program = sys.argv[1:sep]
    compiler = sys.argv[sep + 1:]
    with tempfile.TemporaryDirectory() as dest:
        subprocess.run(["meson", "install", "-C", build_dir, "--destdir", dest, "--only-changed",
                        "--quiet"], check=True, stdout=subprocess.DEVNULL)
        pcs = [os.path.join(root, f) for root, _, files in os.walk(dest) for f in files if f == "fixnet.pc"]
        if not pcs:
            print("check_installed: no fixnet.pc was installed")
            return 1
        pc = pcs[0]
        # The .pc file names the configured prefix; point pkg-config at the
        # staged copy of it.
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.dirname(pc), PKG_CONFIG_SYSROOT_DIR=dest)
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "fixnet"], env=env, check=True,
                               capture_output=True, text=True).stdout.split()
        exe = os.path.join(dest, "program")
        cmd = compiler + ["-O1", program] + flags + ["-o", exe]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            print("check_installed: building against the installed headers failed:\n" + " ".join(cmd))
            print(result.stderr[:4000])
            return 1
        run = subprocess.run([exe], capture_output=True, text=True)
        print(run.stdout)
        if run.returncode != 0:
            print(f"check_installed: the program exited with {run.returncode}")
            return 1
        print(f"ok: built and ran {os.path.basename(program)} with: pkg-config --cflags --libs fixnet -> {' '.join(flags)}")
        return 0


if __name__ == "__main__":
    sys.exit(main())
