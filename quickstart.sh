#!/usr/bin/env bash
# fixnet quick start, for a fresh Debian 12 machine.
#
#   ./quickstart.sh demo   install what is missing, build, run the blobs demo
#   ./quickstart.sh test   install what is missing (and the test tools:
#                          PyTorch, clang, CMake, Fashion-MNIST), build with
#                          -Werror, run the whole test suite, then again under
#                          AddressSanitizer and UndefinedBehaviorSanitizer, then
#                          built by clang; ends with the line
#                          "N passed, N failed, N skipped"
#
# Packages come from Debian's archive only (apt-get, as root or through sudo);
# nothing is downloaded at build time. Build directories: build/ (release),
# build-sanitize/ (debug, ASan + UBSan) and build-clang/. Extra arguments
# after the command are passed to `meson setup` (e.g. -Dsimd=x86-64-v3).
set -euo pipefail

cd "$(dirname "$0")"

usage() {
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

[[ $# -ge 1 ]] || usage
command=$1
shift
case "$command" in
  demo | test) ;;
  *) usage ;;
esac

# --- 1. Debian packages -----------------------------------------------------
packages=(
  g++ meson ninja-build pkg-config python3
  libhwy-dev libboost-dev libboost-test-dev
  libcli11-dev libfmt-dev zlib1g-dev nlohmann-json3-dev libcsv-dev
  libbenchmark-dev libeigen3-dev
)
# For the tests only: the PyTorch interop test needs torch (large); the
# second compiler and the fuzz suite clang and libFuzzer; the consumption
# tests CMake; the real-data tests a data set that any Debian machine can
# install (they use MNIST where it is found).
if [[ $command == test ]]; then
  packages+=(python3-torch clang libclang-rt-14-dev cmake dataset-fashion-mnist)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "quickstart: installing ${missing[*]}"
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "quickstart: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# --- 2. Configure and build ---------------------------------------------------
jobs=$(nproc 2>/dev/null || echo 2)

configure() {  # configure DIR [meson args...]
  local dir=$1
  shift
  if [[ -f $dir/build.ninja ]]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@"
  fi
}

if [[ $command == demo ]]; then
  configure build "$@"
  ninja -C build -j "$jobs" examples/blobs
  echo
  exec ./build/examples/blobs --csv build/blobs_loss.csv
fi

# --- 3. Tests: release with -Werror, then ASan + UBSan, then clang -----------
configure build -Dwerror=true "$@"
ninja -C build -j "$jobs"
status=0
meson test -C build --num-processes "$jobs" --print-errorlogs || status=1

configure build-sanitize -Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false \
  -Dwerror=true -Dbenchmarks=disabled "$@"
ninja -C build-sanitize -j "$jobs"
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# The fuzz suite is sanitized already (clang's ASan + UBSan), and neither
# the compile-fail cases nor the consumption routes run fixnet's code: not
# run twice.
meson test -C build-sanitize --num-processes "$jobs" --print-errorlogs --no-suite compile_fail \
  --no-suite fuzz --no-suite consume || status=1

# The second compiler: Debian's clang 14 builds the library, the tests and
# the tools with -Werror, and runs them, the compile-fail cases (whose
# messages must hold for both compilers' renderings) and the consumption
# routes. The examples are g++'s only, and the tests' kernels are compiled
# for the static Highway target only (the g++ passes check every target
# against the scalar reference), to keep the run short.
clang_args=(-Dwerror=true -Dexamples=disabled -Dbenchmarks=disabled
            -Dcpp_args=-DHWY_COMPILE_ONLY_STATIC "$@")
if [[ ! -f build-clang/build.ninja ]]; then
  CXX=clang++ meson setup build-clang "${clang_args[@]}"
else
  meson setup --reconfigure build-clang "${clang_args[@]}" >/dev/null
fi
ninja -C build-clang -j "$jobs"
meson test -C build-clang --num-processes "$jobs" --print-errorlogs --no-suite fuzz || status=1

# One summary over the three runs, from Meson's machine-readable logs.
python3 - build/meson-logs/testlog.json build-sanitize/meson-logs/testlog.json \
  build-clang/meson-logs/testlog.json <<'EOF'
import json, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    with open(path) as log:
        for line in log:
            result = json.loads(line)["result"]
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
EOF
exit $status
