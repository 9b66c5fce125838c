#!/usr/bin/python3
"""What tests/export/wine_drop.yaml's export stages must write: each row's id
(its data row in data/wine_messy.csv) through missing: drop and the split's
shuffle, its label, and for the test split LogisticRegression's predicted
class and probabilities.

Run: /usr/bin/python3 tests/reference/make_export.py > tests/reference/export.json
pandas 1.5.3 reads the file and dropna() leaves out the rows with a missing
measurement; the index it keeps is the row id. The split is split's
valid_size as two train_test_split calls (scikit-learn 1.2.1), on the ids:
test_size=0.25 off the rows kept, then n_valid = ceil(0.2 * rows) off the
rest, both random_state=0. StandardScaler and LogisticRegression() are
fitted on train."""
import json
import math
import os

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
df = pd.read_csv(os.path.join(root, "data", "wine_messy.csv"), sep=";", decimal=",",
                 encoding="utf-8-sig")
names = [c for c in df.columns if c not in ("Wine ID", "Cultivar", "Tasting note")]
df = df.dropna(subset=names)
ids = df.index.to_numpy()
X = df[names].to_numpy(dtype=float)
labels = df["Cultivar"].to_numpy()

rest, test = train_test_split(np.arange(len(ids)), test_size=0.25, random_state=0)
train, valid = train_test_split(rest, test_size=math.ceil(0.2 * len(ids)), random_state=0)
scaler = StandardScaler().fit(X[train])
lr = LogisticRegression().fit(scaler.transform(X[train]), labels[train])
proba = lr.predict_proba(scaler.transform(X[test]))

out = {"columns": names, "classes": [str(c) for c in lr.classes_]}
for name, rows in (("train", train), ("valid", valid), ("test", test)):
    out[name] = {"ids": [int(i) for i in ids[rows]], "labels": [str(s) for s in labels[rows]],
                 "values": X[rows].tolist()}
out["test"]["predicted"] = [str(c) for c in lr.predict(scaler.transform(X[test]))]
out["test"]["proba"] = proba.tolist()
print(json.dumps(out, indent=1))
