#!/usr/bin/env python
"""Writes testdata/<digit>_<n>.png: pictures from scikit-learn's digits data set that the
example model classifies correctly, scaled up 4× (32×32, white ink on black)."""
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wrapper import Wrapper, to_features  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

PER_DIGIT = 2


def main() -> None:
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "testdata")
    os.makedirs(out, exist_ok=True)
    w = Wrapper()
    w.wrapperInit({})
    digits = load_digits()
    count = {d: 0 for d in range(10)}
    # From the end of the data set, skipping samples the model gets wrong.
    for i in range(len(digits.target) - 1, -1, -1):
        d = int(digits.target[i])
        if count[d] >= PER_DIGIT:
            continue
        img = Image.fromarray((digits.images[i] / 16.0 * 255.0).round().astype(np.uint8)).resize((32, 32), Image.NEAREST)
        path = os.path.join(out, "%d_%d.png" % (d, count[d]))
        img.save(path, optimize=True)
        with open(path, "rb") as f:
            digit, score = w.predict(to_features(f.read()))
        if digit != d or score < 1.0:
            os.remove(path)
            continue
        count[d] += 1
        if all(c >= PER_DIGIT for c in count.values()):
            break
    print("wrote", sum(count.values()), "images to", out)


if __name__ == "__main__":
    main()
