#!/usr/bin/python3
"""data/wine_messy.csv, a table as a European spreadsheet exports it, and the
numbers pipelines/own_csv.yaml must give on it.

Run: /usr/bin/python3 tests/reference/make_own_csv.py > tests/reference/own_csv.json
It writes data/wine_messy.csv from the UCI wine table that Debian's
python3-sklearn 1.2.1 ships (load_wine: 178 wines, 13 measurements, 3
cultivars), made messy as people's files are: a UTF-8 byte-order mark, ';'
between fields, decimal commas, CRLF line ends, an id column, the cultivar
as text (class_0, 1, 2 are Barolo, Grignolino and Barbera), a free-text
tasting note (quoted when it holds ';' or '"'), and about 4% of the
measurements left empty or written NA (RandomState(0)).

Then it reads the file back with pandas and runs what the pipeline runs, with
scikit-learn: train, valid and test from two train_test_split calls as
split's valid_size documents them (test_size=0.25 off the whole data, then
n_valid = ceil(0.2 * 178) = 36 rows off what is left, both random_state=0),
SimpleImputer(strategy="median"), StandardScaler, PCA(n_components=5) and
LogisticRegression(), each fitted on train and applied to valid and test."""
import json
import math
import os

import numpy as np
import pandas as pd
from sklearn.datasets import load_wine
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
path = os.path.join(root, "data", "wine_messy.csv")

wine = load_wine()
names = ["Alcohol", "Malic acid", "Ash", "Alcalinity of ash", "Magnesium", "Total phenols",
         "Flavanoids", "Nonflavanoid phenols", "Proanthocyanins", "Color intensity", "Hue",
         "OD280/OD315 of diluted wines", "Proline"]
cultivars = ["Barolo", "Grignolino", "Barbera"]
notes = ["dry; firm tannins", "light, fruity", "", "\"reserve\" bottling", "cherry, violet",
         "", "earthy", "soft; round", ""]

rng = np.random.RandomState(0)
holes = rng.rand(*wine.data.shape) < 0.04
na_text = rng.rand(*wine.data.shape) < 0.25  # of the holes, written NA


def number(v):
    text = repr(float(v))
    if text.endswith(".0"):
        text = text[:-2]
    return text.replace(".", ",")


def field(s):
    return '"' + s.replace('"', '""') + '"' if (";" in s or '"' in s) else s


lines = [";".join(["Wine ID", "Cultivar"] + names + ["Tasting note"])]
for i, row in enumerate(wine.data):
    values = ["NA" if na_text[i, j] else "" if holes[i, j] else number(v)
              for j, v in enumerate(row)]
    values = [v if holes[i, j] else number(row[j]) for j, v in enumerate(values)]
    lines.append(";".join(["W%03d" % (i + 1), cultivars[wine.target[i]]] + values +
                          [field(notes[i % len(notes)])]))
with open(path, "wb") as f:
    f.write(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))

df = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")
X = df[names].to_numpy(dtype=float)
classes, y = np.unique(df["Cultivar"], return_inverse=True)
assert np.isnan(X).sum() == holes.sum()

X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
n_valid = math.ceil(0.2 * len(X))
X_train, X_valid, y_train, y_valid = train_test_split(X_rest, y_rest, test_size=n_valid,
                                                      random_state=0)
imputer = SimpleImputer(strategy="median").fit(X_train)
scaler = StandardScaler().fit(imputer.transform(X_train))
S_train = scaler.transform(imputer.transform(X_train))
S_valid = scaler.transform(imputer.transform(X_valid))
S_test = scaler.transform(imputer.transform(X_test))
pca = PCA(n_components=5).fit(S_train)
P_train, P_valid, P_test = pca.transform(S_train), pca.transform(S_valid), pca.transform(S_test)
lr = LogisticRegression().fit(P_train, y_train)

print(json.dumps({
    "missing_values": int(np.isnan(X).sum()),
    "class_names": classes.tolist(),
    "n_train": len(X_train), "n_valid": len(X_valid), "n_test": len(X_test),
    "train_missing": int(np.isnan(X_train).sum()),
    "valid_missing": int(np.isnan(X_valid).sum()),
    "test_missing": int(np.isnan(X_test).sum()),
    "impute_statistics": imputer.statistics_.tolist(),
    "scaler_mean": scaler.mean_.tolist(),
    "explained_variance_ratio": pca.explained_variance_ratio_.tolist(),
    "train_accuracy": lr.score(P_train, y_train),
    "valid_accuracy": lr.score(P_valid, y_valid),
    "test_accuracy": lr.score(P_test, y_test),
}, indent=1))
