#!/usr/bin/env python3
"""Golden values for Nabla's PolynomialFeatures, from scikit-learn's PolynomialFeatures.

Regenerate (from the repository root, with scikit-learn in the git-ignored venv):

    venv/bin/pip install scikit-learn numpy
    venv/bin/python Tests/Fixtures/polynomial_features.py

Writes polynomial_features.json: for each case its settings, input and sklearn's output
(float64, row-major), plus sklearn's column names, which fix the column order.
"""

import json
import os

import numpy as np
import sklearn
from sklearn.preprocessing import PolynomialFeatures

HERE = os.path.dirname(os.path.abspath(__file__))


def case(name, x, degree, interaction_only, include_bias):
    poly = PolynomialFeatures(degree=degree, interaction_only=interaction_only, include_bias=include_bias)
    y = poly.fit_transform(x)
    return {
        "name": name, "degree": degree, "interaction_only": interaction_only, "include_bias": include_bias,
        "input_shape": list(x.shape), "input": [float(v) for v in x.ravel()],
        "output_shape": list(y.shape), "output": [float(v) for v in y.ravel()],
        "columns": [str(c) for c in poly.get_feature_names_out()],
    }


def main():
    rng = np.random.default_rng(11)
    three = rng.uniform(-2, 2, size=(4, 3)).round(3)
    two = rng.uniform(-1.5, 1.5, size=(5, 2)).round(3)
    one = rng.uniform(-1, 1, size=(3, 1)).round(3)
    cases = [
        case("degree2_bias", three, 2, False, True),
        case("degree2_nobias", three, 2, False, False),
        case("degree3_nobias", three, 3, False, False),
        case("degree3_interaction", three, 3, True, True),
        case("degree2_interaction_nobias", two, 2, True, False),
        case("degree4_two_features", two, 4, False, True),
        case("degree1_bias", two, 1, False, True),
        case("degree3_one_feature", one, 3, False, False),
    ]
    out = {"generator": "polynomial_features.py", "sklearn_version": sklearn.__version__, "cases": cases}
    with open(os.path.join(HERE, "polynomial_features.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
