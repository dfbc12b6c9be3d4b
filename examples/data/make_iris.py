#!/usr/bin/env python3
"""Writes iris.csv: Fisher's iris measurements (150 flowers, 4 features in
centimetres, 3 species), the copy that Debian's scikit-learn ships (from the
UCI Machine Learning Repository; the data are in the public domain).

    apt-get install python3-sklearn
    /usr/bin/python3 examples/data/make_iris.py > examples/data/iris.csv

The columns: sepal_length,sepal_width,petal_length,petal_width,species, with
the species by name (setosa, versicolor, virginica), in the data set's order.
"""

import csv
import sys

from sklearn.datasets import load_iris


def main():
    iris = load_iris()
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["sepal_length", "sepal_width", "petal_length", "petal_width", "species"])
    for features, target in zip(iris.data, iris.target):
        out.writerow([f"{v:g}" for v in features] + [iris.target_names[target]])


if __name__ == "__main__":
    main()
