#!/usr/bin/env python3
"""Builds a libFuzzer target with clang++ and runs it for a while: the test
that Meson registers in suite 'fuzz' (see docs/fuzzing.md).

    run_fuzzer.py --source X_fuzzer.cpp --include DIR --corpus SEEDS --out DIR
                  [--dict FILE] [--seconds 60] [--werror] [--clang CLANG++]

The project's compiler is g++, which has no libFuzzer, so the target is built
here with clang++ -fsanitize=fuzzer,address,undefined into OUT (rebuilt only
when it or a header under --include changed). It then runs for --seconds on
OUT/corpus, a copy of the seed corpus SEEDS that keeps what the fuzzer finds
from run to run without touching the source tree.

Exits 0 when the run ends without a finding, printing the executions and
coverage reached (libFuzzer's cov: and ft:); 1 on a finding (a crash, a
sanitizer report, an uncaught exception, a leak, a timeout or running out of
memory), printing the report, the saved input and how to reproduce it; 77,
Meson's code for a skipped test, when clang++ or its fuzzer runtime
(Debian: clang, libclang-rt-14-dev) is not installed.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

# driver_support.py is in tests/, the parent of this script's directory.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import driver_support  # noqa: E402
from driver_support import Failure, Skip  # noqa: E402

FLAGS = ["-std=c++20", "-g", "-O1", "-fsanitize=fuzzer,address,undefined",
         # UBSan only prints and goes on by default, which the fuzzer would not see.
         "-fno-sanitize-recover=all",
         # Highway 1.0.3 fails to compile for CPUs with AVX3_DL features
         # unless this is defined (as meson.build does for g++).
         "-DHWY_WANT_AVX3_DL",
         "-Wall", "-Wextra", "-Wpedantic"]
# Libraries of fixnet's dependencies: pkg-config names, and what to link
# without pkg-config.
PACKAGES = ["libhwy", "zlib", "nlohmann_json"]
FALLBACK_LIBS = ["-lhwy", "-lz"]
# The start of a finding's report (ASan, UBSan, LSan, libFuzzer's deadly
# signal, timeout and out-of-memory, an uncaught exception), and where
# libFuzzer saved the input.
REPORT = re.compile(r"ERROR:|runtime error:|terminate called|ALARM:")
ARTIFACT = re.compile(r"Test unit written to (\S+)")
STATS = re.compile(r"^#(\d+)\s+DONE\s+cov: (\d+) ft: (\d+) corp: (\d+)/(\S+)", re.MULTILINE)


def find_clang(requested):
    for name in [requested] if requested else ["clang++", "clang++-14"]:
        path = shutil.which(name)
        if path:
            return path
    return None


def has_fuzzer_runtime(clang):
    """Whether clang can link a fuzz target (libFuzzer's runtime is a separate
    package on Debian)."""
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "probe.cpp")
        with open(source, "w", encoding="utf-8") as f:
            f.write("#include <cstddef>\n#include <cstdint>\n"
                    'extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }\n')
        result = subprocess.run([clang, "-fsanitize=fuzzer,address,undefined", source, "-o",
                                 os.path.join(tmp, "probe")], capture_output=True, text=True, check=False)
        return result.returncode == 0


def library_flags():
    result = subprocess.run(["pkg-config", "--cflags", "--libs"] + PACKAGES, capture_output=True, text=True,
                            check=False) if shutil.which("pkg-config") else None
    if result is None or result.returncode != 0:
        return FALLBACK_LIBS + ["-pthread"]
    return result.stdout.split() + ["-pthread"]


def newest_input(source, include):
    newest = os.path.getmtime(source)
    for root, _, files in os.walk(include):
        for name in files:
            newest = max(newest, os.path.getmtime(os.path.join(root, name)))
    return newest


def build(clang, args, binary):
    if os.path.exists(binary) and os.path.getmtime(binary) >= newest_input(args.source, args.include):
        print(f"up to date: {binary}")
        return
    command = [clang] + FLAGS + (["-Werror"] if args.werror else []) + [
        "-I", args.include, args.source, "-o", binary] + library_flags()
    print("building:", " ".join(command), flush=True)
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    sys.stdout.write(result.stdout + result.stderr)
    if result.returncode != 0:
        if os.path.exists(binary):
            os.remove(binary)
        raise Failure(f"the fuzz target did not compile (exit status {result.returncode})")


def main():
    parser = driver_support.argument_parser(__doc__)
    parser.add_argument("--source", required=True, help="the fuzz target (defines LLVMFuzzerTestOneInput)")
    parser.add_argument("--include", required=True, help="fixnet's include directory")
    parser.add_argument("--corpus", required=True, help="the seed corpus (a directory, read only)")
    parser.add_argument("--out", required=True, help="directory for the binary, the working corpus and crashes")
    parser.add_argument("--dict", help="a libFuzzer dictionary")
    parser.add_argument("--seconds", type=int, default=60, help="how long to fuzz")
    parser.add_argument("--werror", action="store_true", help="compile with -Werror")
    parser.add_argument("--clang", help="the clang++ to use (default: clang++, then clang++-14)")
    args = parser.parse_args()

    clang = find_clang(args.clang)
    if clang is None:
        raise Skip(f"{args.clang or 'clang++'} is not installed, and the fuzz targets need it (libFuzzer); "
                   "on Debian: apt-get install clang libclang-rt-14-dev")
    if not has_fuzzer_runtime(clang):
        raise Skip(f"{clang} cannot link a fuzz target (-fsanitize=fuzzer): libFuzzer's runtime is "
                   "missing; on Debian: apt-get install libclang-rt-14-dev")

    name = os.path.splitext(os.path.basename(args.source))[0]
    os.makedirs(args.out, exist_ok=True)
    binary = os.path.join(args.out, name)
    build(clang, args, binary)

    # The seeds join what earlier runs found; the source tree is not written.
    corpus = os.path.join(args.out, "corpus")
    shutil.copytree(args.corpus, corpus, dirs_exist_ok=True)
    crashes = os.path.join(args.out, "crashes") + os.sep
    os.makedirs(crashes, exist_ok=True)
    command = [binary, f"-max_total_time={args.seconds}", "-timeout=25", "-rss_limit_mb=2048",
               "-print_final_stats=1", f"-artifact_prefix={crashes}"]
    if args.dict:
        command.append(f"-dict={args.dict}")
    command.append(corpus)
    env = dict(os.environ,
               ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:symbolize=1",
               UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
    print("running:", " ".join(command), flush=True)
    log_path = os.path.join(args.out, "fuzz.log")
    with open(log_path, "w", encoding="utf-8", errors="replace") as log:
        try:
            result = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=env,
                                    timeout=args.seconds + 300, check=False)
        except subprocess.TimeoutExpired:
            raise Failure(f"the fuzzer ran 300 s past its -max_total_time; log: {log_path}") from None
    with open(log_path, encoding="utf-8", errors="replace") as log:
        output = log.read()

    stats = STATS.findall(output)
    summary = None
    if stats:
        runs, cov, ft, corp, size = stats[-1]
        summary = f"{runs} executions, cov: {cov} ft: {ft}, corpus {corp} inputs ({size})"
    if result.returncode != 0:
        # The report: from the first line of the sanitizer's or libFuzzer's.
        report = REPORT.search(output)
        start = output.rfind("\n", 0, report.start()) + 1 if report else max(0, len(output) - 12000)
        print(output[start:start + 12000])
        raise Failure(f"the fuzzer found a problem (exit status {result.returncode}); full log: {log_path}"
                      + "".join(f"\n  input: {artifact}\n  reproduce: {binary} {artifact}"
                                for artifact in ARTIFACT.findall(output)))
    if summary is None:
        print(output[-4000:])
        raise Failure(f"the fuzzer exited without its final statistics; full log: {log_path}")
    return f"{name}: {summary} in {args.seconds} s, no finding (log: {log_path})"


if __name__ == "__main__":
    driver_support.exit_with(main)
