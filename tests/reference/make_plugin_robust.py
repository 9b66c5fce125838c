#!/usr/bin/python3
"""Reference numbers for the example plugin scaler.robust (examples/plugin/):
scikit-learn's RobustScaler fitted on the train split of the wine table
(train_test_split(test_size=0.25, random_state=0), as the pipeline's split
stage), then applied to the test split.

Writes tests/reference/plugin_robust.json and prints the expect: block of
examples/plugin/robust_wine.yaml, which holds the same values.
Run: /usr/bin/python3 tests/reference/make_plugin_robust.py
"""
import json
import os

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import RobustScaler

root = os.path.join(os.path.dirname(__file__), "..", "..")
table = pd.read_csv(os.path.join(root, "pipelines", "data", "wine.csv"))
X = table.drop(columns=["class"]).to_numpy(dtype=np.float64)
train, test = train_test_split(X, test_size=0.25, random_state=0)
wide = RobustScaler(quantile_range=(10.0, 90.0)).fit(train)
robust = RobustScaler().fit(train)
out = {
    "center": robust.center_.tolist(),
    "scale": robust.scale_.tolist(),
    "scale_10_90": wide.scale_.tolist(),
    "test_rows": robust.transform(test)[:3].tolist(),
    "n_test": int(test.shape[0]),
}
with open(os.path.join(root, "tests", "reference", "plugin_robust.json"), "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")

print("expect:")
for j in (0, 4, 12):
    print(f"  robust.center[{j}]: {{near: {out['center'][j]!r}, tol: 1.0e-12}}")
    print(f"  robust.scale[{j}]:  {{near: {out['scale'][j]!r}, tol: 1.0e-12}}")
    print(f"  wide.scale[{j}]:    {{near: {out['scale_10_90'][j]!r}, tol: 1.0e-12}}")
for i in range(3):
    for j in (0, 6, 12):
        print(f"  rows.values[{i}][{j}]: {{near: {out['test_rows'][i][j]!r}, tol: 1.0e-12}}")
print(f"  rows.rows: {{equals: {out['n_test']}}}")
