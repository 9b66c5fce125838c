#!/usr/bin/python3
"""Writes the MPI tests' inputs: a 101-row table (rows not a multiple of 2
or 3, so the ranks' blocks differ in size) with correlated features and a
binary label, as CSV and as .npy, and a copy of the .npy with one NaN in
row 95, which falls in the last rank's block for 2 and 3 ranks.
Run: /usr/bin/python3 tests/mpi/make_data.py (Debian's python3-numpy)."""
import os
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.RandomState(14)
x = rng.randn(101, 6) @ rng.randn(6, 6) + rng.randn(6) * 3
y = (x[:, 0] - x[:, 1] + 0.5 * rng.randn(101) > np.median(x[:, 0] - x[:, 1])).astype(np.int64)
with open(os.path.join(here, "table.csv"), "w") as f:
    f.write("a,b,c,d,e,f,label\n")
    for row, label in zip(x, y):
        f.write(",".join(repr(float(v)) for v in row) + ",%d\n" % label)
np.save(os.path.join(here, "table.npy"), x)
np.save(os.path.join(here, "labels.npy"), y)
bad = x.copy()
bad[95, 2] = np.nan
np.save(os.path.join(here, "table_nan.npy"), bad)
# impute.csv: the table with cells left empty in every rank's block (for 2
# and 3 ranks), and a column of few distinct values (f rounded) for
# most_frequent to find.
miss = rng.rand(101, 6) < 0.15
with open(os.path.join(here, "impute.csv"), "w") as f:
    f.write("a,b,c,d,e,f,label\n")
    for row, m, label in zip(x, miss, y):
        cells = [repr(float(v)) for v in row[:5]] + ["%d" % round(row[5] / 4)]
        f.write(",".join("" if mi else c for c, mi in zip(cells, m)) + ",%d\n" % label)
# far.npy: the table moved 1000 from the origin along every feature, where
# randomized PCA centres a copy before sketching (no new random numbers,
# so the files above stay as they were).
np.save(os.path.join(here, "far.npy"), x + 1000.0)
