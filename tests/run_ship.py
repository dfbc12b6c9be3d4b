#!/usr/bin/env python3
"""The README's shipping path, end to end: a model that `blobs --save` wrote
at build time is classified by blobs_predict (which loads the file) and by
blobs_baked (compiled with the header fixnet-bake made from that file). Both
must print the same lines, bit for bit, and put each blob's centre in its
class.

usage: run_ship.py BLOBS_PREDICT MODEL BLOBS_BAKED
"""
import subprocess
import sys

POINTS = ["0", "-3", "3", "3", "-3", "3", "0.5", "0.25"]


def main():
    predict, model, baked = sys.argv[1:4]
    loaded = subprocess.run([predict, model] + POINTS, capture_output=True, text=True)
    compiled = subprocess.run([baked] + POINTS, capture_output=True, text=True)
    for name, result in (("blobs_predict", loaded), ("blobs_baked", compiled)):
        if result.returncode != 0:
            print(f"{name} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
            return 1
    print("blobs_predict (model file):\n" + loaded.stdout)
    print("blobs_baked (baked header):\n" + compiled.stdout)
    if loaded.stdout != compiled.stdout:
        print("run_ship: the two programs disagree")
        return 1
    classes = [line.split("class ")[1].split()[0] for line in loaded.stdout.splitlines()]
    if classes[:3] != ["0", "1", "2"]:
        print(f"run_ship: the blobs' centres were classified {classes[:3]}, expected 0 1 2")
        return 1
    bad = subprocess.run([predict, model, "1", "x"], capture_output=True, text=True)
    if bad.returncode == 0 or "'x'" not in bad.stderr:
        print(f"run_ship: a coordinate 'x' was not refused:\n{bad.stdout}{bad.stderr}")
        return 1
    print("ok: the baked network computes what the loaded file computes; a bad coordinate is refused")
    return 0


if __name__ == "__main__":
    sys.exit(main())
