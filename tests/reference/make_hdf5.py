#!/usr/bin/python3
"""Small HDF5 files written by h5py (Debian's python3-h5py), for
dataset.hdf5's tests, and what h5py and numpy read back from them
(hdf5.json): each dataset seen as rows x features (reshape(len(a), -1)
after picking `columns` from the last axis), its feature names, and its
labels encoded as np.unique(labels, return_inverse=True) does.

The files (tests/reference/hdf5/) cover float64, float32, big-endian
int16, uint8 images, int64, a 4-d array, chunked gzip-compressed data,
integer, variable-length string and fixed-length byte-string labels, and
the bad cases: a NaN, an infinity, compound records, booleans (an HDF5
enum), strings as data, a scalar, data compressed with h5py's LZF filter
(which libhdf5 lacks), labels of the wrong length, labels that are not
whole numbers, and a file that is not HDF5.
Run from anywhere: /usr/bin/python3 tests/reference/make_hdf5.py"""
import json
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DIR = os.path.join(HERE, "hdf5")


def table(a, columns):
    a = np.asarray(a)
    if columns:
        a = a[..., columns]
    return a.reshape(len(a), -1).astype(np.float64)


def classes(labels):
    values = np.array([v.decode() if isinstance(v, bytes) else v for v in labels])
    uniq, inv = np.unique(values, return_inverse=True)
    names = [str(int(u)) if values.dtype.kind in "iuf" else str(u) for u in uniq]
    return names, inv.tolist()


def main():
    os.makedirs(DIR, exist_ok=True)
    rs = np.random.RandomState(0)
    cases = {}

    # One file, several datasets: a table with names and three kinds of labels.
    feats = rs.randn(7, 3)
    ints = np.array([3, 1, 3, 7, 1, 1, 3], dtype=np.int32)
    strs = ["muon", "electron", "muon", "tau", "electron", "muon", "tau"]
    with h5py.File(os.path.join(DIR, "events.h5"), "w") as f:
        d = f.create_dataset("events/features", data=feats)
        d.attrs["feature_names"] = ["pt", "eta", "phi"]
        f.create_dataset("events/labels", data=ints)
        f.create_dataset("events/kind", data=strs, dtype=h5py.string_dtype())
        f.create_dataset("events/kind_bytes", data=np.array([s.encode() for s in strs], dtype="S8"))
        f.create_dataset("events/short_labels", data=ints[:5])
        f.create_dataset("events/half_labels", data=np.array([0.5, 1, 2, 3, 4, 5, 6]))
        f.create_dataset("events/weights_f4", data=rs.randn(5, 4).astype(np.float32))
        f.create_dataset("counts_be_i2", data=rs.randint(-300, 300, size=(4, 3)).astype(">i2"))
        f.create_dataset("images_u1", data=rs.randint(0, 256, size=(3, 4, 5)).astype(np.uint8))
        f.create_dataset("column_i8", data=rs.randint(-5, 5, size=6).astype(np.int64))
        f.create_dataset("block_4d", data=rs.randn(2, 2, 3, 2))
        f.create_dataset("chunked", data=rs.randn(50, 6), chunks=(8, 6), compression="gzip")
        f.create_dataset("bad/nan", data=np.array([[1.0, 2.0, 3.0], [4.0, 5.0, np.nan]]))
        f.create_dataset("bad/inf", data=np.array([[1.0, -np.inf]]))
        f.create_dataset("bad/records", data=np.zeros(3, dtype=[("a", "<f8"), ("b", "<i4")]))
        f.create_dataset("bad/flags", data=np.array([True, False]))
        f.create_dataset("bad/names", data=strs, dtype=h5py.string_dtype())
        f.create_dataset("bad/scalar", data=3.0)
        f.create_dataset("bad/empty", data=np.zeros((0, 3)))
        # h5py's own LZF filter, which Debian's libhdf5 does not have.
        f.create_dataset("bad/lzf", data=np.ones((4, 2)), chunks=(2, 2), compression="lzf")
    with open(os.path.join(DIR, "not_hdf5.h5"), "w") as f:
        f.write("pt,eta\n1,2\n")

    def good(name, dataset, a, columns=None, labels=None, names=None):
        case = {"dataset": dataset, "columns": columns or [], "shape": list(np.shape(a))}
        t = table(a, columns)
        case.update(rows=t.shape[0], cols=t.shape[1], values=t.ravel().tolist())
        if names is not None:
            case["feature_names"] = names
        if labels is not None:
            case["labels"] = labels[0]
            case["classes"], case["y"] = classes(labels[1])
        cases[name] = case

    with h5py.File(os.path.join(DIR, "events.h5"), "r") as f:
        read = {k: f[k][()] for k in ["events/features", "events/weights_f4", "counts_be_i2",
                                      "images_u1", "column_i8", "block_4d", "chunked"]}
        kind = list(f["events/kind"].asstr()[()])
        kind_bytes = list(f["events/kind_bytes"][()])
        labels = list(f["events/labels"][()])
        names = list(f["events/features"].attrs["feature_names"])
    good("features_int_labels", "/events/features", read["events/features"],
         labels=("/events/labels", labels), names=names)
    good("features_str_labels", "events/features", read["events/features"],
         labels=("/events/kind", kind), names=names)
    good("features_bytes_labels", "/events/features", read["events/features"], columns=[2, 0],
         labels=("/events/kind_bytes", kind_bytes), names=[names[2], names[0]])
    good("f4_columns", "/events/weights_f4", read["events/weights_f4"], columns=[0, -1])
    good("be_i2", "/counts_be_i2", read["counts_be_i2"])
    good("images_u1", "/images_u1", read["images_u1"])
    good("images_u1_columns", "/images_u1", read["images_u1"], columns=[1, 3])
    good("column_i8", "/column_i8", read["column_i8"])
    good("block_4d", "/block_4d", read["block_4d"])
    good("chunked_gzip", "/chunked", read["chunked"])

    out = {"generator": "tests/reference/make_hdf5.py", "h5py": h5py.__version__,
           "hdf5": h5py.version.hdf5_version, "numpy": np.__version__, "file": "events.h5",
           "good": cases}
    with open(os.path.join(HERE, "hdf5.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
