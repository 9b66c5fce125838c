#!/usr/bin/python3
"""Small .npy files written by numpy itself, for dataset.npy's tests, and
what numpy reads back from them (npy.json): every value of each array seen
as rows x columns (reshape(len(a), -1), C order), and the labels.

The files (tests/reference/npy/) cover float64 and float32, C and Fortran
order, big-endian integers, unsigned bytes as images, booleans, format
version 2.0, and the bad cases: a NaN, a complex array, a structured
array, a truncated file, labels that are not whole numbers.
Run from anywhere: /usr/bin/python3 tests/reference/make_npy.py"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DIR = os.path.join(HERE, "npy")


def save(name, a, version=None):
    path = os.path.join(DIR, name)
    if version:
        with open(path, "wb") as f:
            np.lib.format.write_array(f, a, version=version)
    else:
        np.save(path, a)
    return path


def main():
    os.makedirs(DIR, exist_ok=True)
    open(os.path.join(DIR, "empty.npy"), "wb").close()  # a 0-byte file
    rs = np.random.RandomState(0)
    good = {
        "table_f8.npy": rs.randn(7, 3),
        "table_f4_fortran.npy": np.asfortranarray(rs.randn(5, 4).astype(np.float32)),
        "big_endian_i2.npy": (rs.randint(-300, 300, size=(4, 3))).astype(">i2"),
        "images_u1.npy": rs.randint(0, 256, size=(3, 4, 5)).astype(np.uint8),
        "images_u1_fortran.npy": np.asfortranarray(rs.randint(0, 256, size=(3, 4, 5)).astype(np.uint8)),
        "column_bool.npy": np.array([True, False, False, True, True, False]),
        "v2_i8.npy": rs.randint(-5, 5, size=(2, 6)).astype(np.int64),
    }
    out = {"numpy": np.__version__, "good": {}}
    for name, a in good.items():
        save(name, a, version=(2, 0) if name.startswith("v2") else None)
        back = np.load(os.path.join(DIR, name))
        flat = back.reshape(len(back), -1)
        out["good"][name] = {"rows": int(flat.shape[0]), "cols": int(flat.shape[1]),
                             "shape": list(back.shape),
                             "values": flat.astype(np.float64).ravel().tolist()}
    labels = np.array([20, -3, 7, 20, -3, 7, 7], dtype=np.int64)
    save("labels_i8.npy", labels)
    classes, encoded = np.unique(labels, return_inverse=True)
    out["labels"] = {"classes": [str(c) for c in classes], "y": encoded.tolist()}

    bad = rs.randn(4, 3)
    bad[2, 1] = np.nan
    save("nan.npy", bad)
    save("complex.npy", np.ones((2, 2), dtype=np.complex128))
    save("structured.npy", np.zeros(3, dtype=[("a", "<f8"), ("b", "<i4")]))
    save("labels_half.npy", np.array([0.0, 1.5, 1.0, 0.0, 1.0, 0.0, 1.0]))
    path = save("truncated.npy", rs.randn(10, 4))
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[:-20])
    with open(os.path.join(HERE, "npy.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", DIR, "and npy.json")


if __name__ == "__main__":
    main()
