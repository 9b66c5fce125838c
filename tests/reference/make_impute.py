#!/usr/bin/python3
"""scikit-learn's SimpleImputer (Debian's python3-sklearn 1.2.1) on a small
table with holes, for tests/unit/test_impute.c.

Run: /usr/bin/python3 tests/reference/make_impute.py > tests/reference/impute.json
For each strategy: statistics_ fitted on train, and train and test
transformed (NaN is written as null). The table has an even count of present
values in a column (median of two middles), ties for most_frequent (the
smallest wins), negative values, and holes in test only."""
import json

import numpy as np
from sklearn.impute import SimpleImputer

nan = np.nan
train = np.array([
    [1.0, 10.0, -2.0, 7.0],
    [nan, 10.0, -2.0, 7.0],
    [3.0, 20.0, nan, 7.0],
    [4.5, nan, 5.0, 7.0],
    [nan, 20.0, 5.0, 7.0],
    [2.0, 30.0, 0.25, 7.0],
    [1.0, nan, nan, 7.0],
    [8.0, 40.0, 0.25, 7.0],
])
test = np.array([
    [nan, nan, nan, nan],
    [5.0, nan, 1.0, 3.0],
    [0.0, 15.0, nan, nan],
])


def rows(m):
    return [[None if np.isnan(v) else float(v) for v in r] for r in m]


out = {"train": rows(train), "test": rows(test), "strategies": {}}
for strategy, kw in [("mean", {}), ("median", {}), ("most_frequent", {}),
                     ("constant", {"fill_value": -1.5})]:
    imp = SimpleImputer(strategy=strategy, **kw).fit(train)
    out["strategies"][strategy] = {
        "fill_value": kw.get("fill_value", 0),
        "statistics": imp.statistics_.tolist(),
        "train": rows(imp.transform(train)),
        "test": rows(imp.transform(test)),
        "train_filled": int(np.isnan(train).sum()),
        "test_filled": int(np.isnan(test).sum()),
    }
print(json.dumps(out, indent=1))
