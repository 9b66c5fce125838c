#!/usr/bin/python3
"""Checks the files tests/export/wine_drop.yaml's export stages wrote in
RUN_DIR against tests/reference/export.json: row ids, labels and values
exactly, the predicted classes exactly and the probabilities to 1e-10
(both solve the same problem to lbfgs tolerance). Usage: export_check.py RUN_DIR REF."""
import csv
import json
import os
import sys

import numpy as np

run, ref = sys.argv[1], json.load(open(sys.argv[2]))
bad = []


def table(name):
    with open(os.path.join(run, name), newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


for split in ("train", "valid", "test"):
    want = ref[split]
    head, rows = table("rows.%s.csv" % split)
    if head != ["row", "label"] + ref["columns"]:
        bad.append("rows.%s.csv: header %s" % (split, head))
    if [int(r[0]) for r in rows] != want["ids"]:
        bad.append("rows.%s.csv: row ids %s, expected %s" % (split, [r[0] for r in rows][:8], want["ids"][:8]))
    if [r[1] for r in rows] != want["labels"]:
        bad.append("rows.%s.csv: labels differ" % split)
    values = np.array([[float(v) for v in r[2:]] for r in rows])
    if values.shape != np.shape(want["values"]) or not np.array_equal(values, want["values"]):
        bad.append("rows.%s.csv: values differ" % split)
    npy = np.load(os.path.join(run, "rows.%s.npy" % split), allow_pickle=False)
    if not np.array_equal(npy, want["values"]):
        bad.append("rows.%s.npy: values differ" % split)

head, rows = table("pred.test.csv")
if head != ["row", "label", "predicted"] + ref["classes"]:
    bad.append("pred.test.csv: header %s" % head)
if [int(r[0]) for r in rows] != ref["test"]["ids"]:
    bad.append("pred.test.csv: row ids differ")
if [r[2] for r in rows] != ref["test"]["predicted"]:
    bad.append("pred.test.csv: predicted classes differ")
proba = np.array([[float(v) for v in r[3:]] for r in rows])
err = np.abs(proba - np.array(ref["test"]["proba"])).max()
if not err <= 1e-10:
    bad.append("pred.test.csv: probabilities differ by %g (> 1e-10)" % err)
for b in bad:
    print("FAIL:", b)
print("export: %d checks failed; largest probability difference %.3g" % (len(bad), err))
sys.exit(1 if bad else 0)
