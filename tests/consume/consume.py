#!/usr/bin/env python3
"""Builds a user's program (hello.cpp) against fixnet the way the README says,
through one route, with -march=native and nothing else from the user:

  pkg-config   install fixnet into a scratch prefix (a bare `meson setup`:
               no tests, examples, benchmarks or tools), then
               `c++ -O2 -march=native hello.cpp $(pkg-config --cflags --libs fixnet)`
  meson        the same install, then a Meson project with dependency('fixnet')
  subproject   a Meson project with fixnet in subprojects/ (no install)
  cmake        the same install, then a CMake project with
               find_package(fixnet CONFIG REQUIRED) and fixnet::fixnet

and runs it. Exits 0 when the program builds and runs, 1 otherwise, printing
the commands and the compiler's first errors.

usage: consume.py ROUTE SOURCE_ROOT -- COMPILER [ARGS...]
"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, cwd=None, env=None):
    print("+ " + " ".join(cmd), flush=True)
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stdout[-3000:])
        print(result.stderr[:6000])
        raise SystemExit(f"consume: failed ({result.returncode}): {' '.join(cmd)}")
    return result.stdout


def install(source_root, work, env):
    """A lean install of fixnet into work/prefix; returns the prefix."""
    prefix = os.path.join(work, "prefix")
    build = os.path.join(work, "fixnet-build")
    run(["meson", "setup", build, source_root, "--prefix", prefix, "-Dtests=disabled", "-Dexamples=disabled",
         "-Dbenchmarks=disabled", "-Dtools=disabled"], env=env)
    run(["meson", "install", "-C", build, "--quiet"], env=env)
    return prefix


def find(prefix, name):
    for root, _, files in os.walk(prefix):
        if name in files:
            return root
    raise SystemExit(f"consume: the install has no {name}")


MESON_PROJECT = """project('hello', 'cpp', default_options: ['cpp_std=c++20'])
add_project_arguments('-march=native', language: 'cpp')
{subproject}executable('hello', 'hello.cpp', dependencies: dependency('fixnet'))
"""

CMAKE_PROJECT = """cmake_minimum_required(VERSION 3.20)
project(hello CXX)
find_package(fixnet CONFIG REQUIRED)
add_executable(hello hello.cpp)
target_compile_options(hello PRIVATE -march=native)
target_link_libraries(hello PRIVATE fixnet::fixnet)
"""


def main():
    sep = sys.argv.index("--")
    route, source_root = sys.argv[1:sep]
    compiler = sys.argv[sep + 1:]
    if route == "cmake" and shutil.which("cmake") is None:
        print("SKIPPED: cmake is not installed (apt-get install cmake)")
        sys.exit(77)
    env = dict(os.environ, CXX=" ".join(compiler))
    with tempfile.TemporaryDirectory(prefix="fixnet-consume-") as work:
        project = os.path.join(work, "project")
        os.makedirs(project)
        shutil.copy(os.path.join(HERE, "hello.cpp"), project)
        exe = os.path.join(project, "hello")
        if route == "pkg-config":
            prefix = install(source_root, work, env)
            env["PKG_CONFIG_PATH"] = find(prefix, "fixnet.pc")
            flags = run(["pkg-config", "--cflags", "--libs", "fixnet"], env=env).split()
            run(compiler + ["-O2", "-march=native", "hello.cpp"] + flags + ["-o", exe], cwd=project)
        elif route in ("meson", "subproject"):
            if route == "meson":
                env["PKG_CONFIG_PATH"] = find(install(source_root, work, env), "fixnet.pc")
                subproject = ""
            else:
                os.makedirs(os.path.join(project, "subprojects"))
                os.symlink(source_root, os.path.join(project, "subprojects", "fixnet"))
                subproject = "subproject('fixnet')\n"
            with open(os.path.join(project, "meson.build"), "w") as f:
                f.write(MESON_PROJECT.format(subproject=subproject))
            build = os.path.join(project, "build")
            run(["meson", "setup", build, project], env=env)
            run(["ninja", "-C", build], env=env)
            exe = os.path.join(build, "hello")
        elif route == "cmake":
            prefix = install(source_root, work, env)
            with open(os.path.join(project, "CMakeLists.txt"), "w") as f:
                f.write(CMAKE_PROJECT)
            build = os.path.join(project, "build")
            run(["cmake", "-S", project, "-B", build, "-DCMAKE_BUILD_TYPE=Release", f"-DCMAKE_PREFIX_PATH={prefix}",
                 f"-DCMAKE_CXX_COMPILER={compiler[0]}"], env=env)
            run(["cmake", "--build", build], env=env)
            exe = os.path.join(build, "hello")
        else:
            raise SystemExit(f"consume: unknown route {route}")
        print(run([exe]))
        print(f"ok: {route}")


if __name__ == "__main__":
    main()
