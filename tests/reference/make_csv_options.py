#!/usr/bin/python3
"""Messy CSV fixtures and pandas' reading of them, for tests/unit/test_csv.c.

Run: /usr/bin/python3 tests/reference/make_csv_options.py
Writes tests/reference/csv/*.csv (the fixtures) and tests/reference/csv_options.json:
for each case the dataset.csv options, the pandas.read_csv call that means the
same, and what pandas (Debian's python3-pandas 1.5) reads: feature names, the
values (null for NaN), the labels as np.unique classes, and the rows dropped.
The C test reads each fixture with the case's options, held and streamed, and
must get the same."""
import json
import os

import numpy as np
import pandas as pd

here = os.path.dirname(os.path.abspath(__file__))
folder = os.path.join(here, "csv")
os.makedirs(folder, exist_ok=True)


def write(name, text):
    with open(os.path.join(folder, name), "wb") as f:
        f.write(text.encode("utf-8"))


# A European spreadsheet's export: BOM, semicolons, decimal commas, an id
# column, a text label, a free-text column with a quoted ';' and '"', empty
# cells and NA texts.
write("european.csv",
      "\ufeffid;cultivar;alcohol;malic acid;note;ash\r\n"
      "W1;Barolo;14,23;1,71;\"dry; firm\";2,43\r\n"
      "W2;Grignolino;12,37;;\"a \"\"light\"\" one\";1,36\r\n"
      "W3;Barbera;12,86;1,35;;NA\r\n"
      "W4;Barolo;13,2;1,78;fruity;2,14\r\n"
      "W5;Barbera;13,05;3,86;n/a;2,32\r\n"
      "W6;Grignolino;;0,94;\"süß, herb\";1,7\r\n")

# Tabs, comments (whole lines and line ends), a numeric label last, a
# sentinel for missing.
write("lab.tsv",
      "# exported by the lab's logger\n"
      "t\tvoltage\tcurrent\tlabel\n"
      "0.5\t1.25\t-999\t2\n"
      "# a pause\n"
      "1.0\t1.5e-3\t0.75\t10# calibrated\n"
      "\n"
      "1.5\t-2\t0.5\t2\n"
      "2.0\t3\t0.25\t1\n")

# Runs of spaces, no header: the columns are picked by index.
write("spaces.txt",
      "  1.0   2.0 3.0  4\n"
      "5\t 6  7  8  \n"
      "9 10 11 12\n")

# Quotes holding the delimiter, doubled quotes, UTF-8 names, a text label.
write("quoted.csv",
      "\"a, first\",b,\"c \"\"quoted\"\"\",größe,label\n"
      "1,2,3,4,\"x, y\"\n"
      "5,\"6\",7,8,z\n"
      "9,10,11,12,\"x, y\"\n"
      "13,14,15,16,é\n")

# "NA" as a class (North America), "?" for missing: keep_default_na false.
write("regions.csv",
      "region,x,y\n"
      "NA,1,?\n"
      "EU,2,3\n"
      "NA,4,5\n"
      "AS,,6\n")

# A header that repeats a name: picking by index works.
write("dupes.csv",
      "x,x,y\n"
      "1,2,3\n"
      "4,5,6\n")

cases = []


def case(name, file, options, kwargs, label=None, drop=None, missing="error"):
    """Reads FILE with pandas as KWARGS says; LABEL names the label column of
    the DataFrame; DROP lists columns dropped after reading (what ignore
    does); missing drop removes rows with any NaN in what is kept."""
    df = pd.read_csv(os.path.join(folder, file), **kwargs)
    if drop:
        df = df.drop(columns=drop)
    rows_dropped = 0
    if missing == "drop":
        before = len(df)
        df = df.dropna()
        rows_dropped = before - len(df)
    y = classes = None
    if label is not None:
        values = df[label]
        df = df.drop(columns=[label])
        classes, y = np.unique(values.astype(str) if values.dtype == object else values,
                               return_inverse=True)
        classes = [str(c) if not isinstance(c, (float, np.floating)) else
                   format_number(float(c)) for c in classes]
        y = y.tolist()
    x = df.to_numpy(dtype=float)
    cases.append({
        "name": name,
        "file": "csv/" + file,
        "options": options,
        "pandas": "pd.read_csv(%r, %s)" % (file, ", ".join("%s=%r" % kv for kv in kwargs.items())),
        "feature_names": [str(c) for c in df.columns] if kwargs.get("header", 0) is not None else None,
        "x": [[None if np.isnan(v) else float(v) for v in row] for row in x],
        "y": y,
        "class_names": classes,
        "rows_dropped": rows_dropped,
    })


def format_number(v):
    return str(int(v)) if v == int(v) else repr(v)


eu = {"sep": ";", "decimal": ",", "encoding": "utf-8-sig"}
case("european, missing kept", "european.csv",
     {"decimal": ",", "ignore": ["id", "note"], "label_column": "cultivar", "missing": "keep"},
     eu, label="cultivar", drop=["id", "note"])
case("european, missing rows dropped", "european.csv",
     {"decimal": ",", "ignore": ["id", "note"], "label_column": "cultivar", "missing": "drop"},
     eu, label="cultivar", drop=["id", "note"], missing="drop")
case("european, columns by name and index", "european.csv",
     {"decimal": ",", "delimiter": ";", "columns": ["alcohol", "-1"], "label_column": "1",
      "missing": "keep"},
     dict(eu, usecols=[1, 2, 5]), label="cultivar")
case("tabs, comments, na_values, numeric labels", "lab.tsv",
     {"comment": "#", "na_values": ["-999"], "label_column": "-1", "missing": "keep"},
     {"sep": "\t", "comment": "#", "na_values": ["-999"]}, label="label")
case("whitespace, no header, columns by index", "spaces.txt",
     {"header": False, "columns": ["0", "2", "-1"]},
     {"sep": r"\s+", "header": None, "usecols": [0, 2, 3]})
case("whitespace given, no header, numeric labels by index", "spaces.txt",
     {"header": False, "delimiter": "whitespace", "label_column": "-1"},
     {"sep": r"\s+", "header": None}, label=3)
case("quotes, UTF-8, text labels", "quoted.csv",
     {"ignore": ["b"], "label_column": "label"},
     {}, label="label", drop=["b"])
case("keep_default_na false", "regions.csv",
     {"keep_default_na": False, "na_values": ["?", ""], "label_column": "region",
      "missing": "keep"},
     {"keep_default_na": False, "na_values": ["?", ""]}, label="region")
case("duplicate names picked by index", "dupes.csv",
     {"columns": ["0", "2"]},
     {"usecols": [0, 2]})

with open(os.path.join(here, "csv_options.json"), "w") as f:
    json.dump({"cases": cases}, f, indent=1, ensure_ascii=False)
    f.write("\n")
