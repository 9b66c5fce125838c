#!/usr/bin/python3
"""Validates every pipeline in pipelines/ against schemas/pipeline.schema.json
with an independent validator (python3-jsonschema), and checks that the
schema rejects files it must reject. usage: schema_validate.py SOURCE_ROOT"""
import glob
import json
import os
import sys

import jsonschema
import yaml

root = sys.argv[1]
with open(os.path.join(root, "schemas", "pipeline.schema.json")) as f:
    schema = json.load(f)
jsonschema.Draft7Validator.check_schema(schema)
validator = jsonschema.Draft7Validator(schema)

passed = failed = 0
for path in sorted(glob.glob(os.path.join(root, "pipelines", "*.yaml"))):
    with open(path) as f:
        text = f.read()
    first = text.splitlines()[0] if text else ""
    errors = [e.message for e in validator.iter_errors(yaml.safe_load(text))]
    if not first.startswith("# yaml-language-server: $schema=../schemas/pipeline.schema.json"):
        errors.append("first line is not the yaml-language-server $schema comment")
    if errors:
        failed += 1
        print(f"FAIL {path}: " + "; ".join(errors))
    else:
        passed += 1

# Files the schema must reject, as editors should flag them.
must_reject = {
    "unknown stage kind": {"pipeline": "x", "stages": {"a": {"use": "pcaa"}}},
    "unknown parameter": {"pipeline": "x", "stages": {"a": {"use": "pca", "with": {"n_compnents": 2}}}},
    "wrong type": {"pipeline": "x", "stages": {"a": {"use": "pca", "with": {"n_components": "two"}}}},
    "bad pipeline name": {"pipeline": "a b", "stages": {"a": {"use": "pca"}}},
    # The loader refuses a name starting with '-' (it would read as an option).
    "pipeline name with a leading -": {"pipeline": "-x", "stages": {"a": {"use": "pca"}}},
    "stage name with a leading -": {"pipeline": "x", "stages": {"-a": {"use": "pca"}}},
    "unknown top-level key": {"pipeline": "x", "stages": {"a": {"use": "pca"}}, "sweeps": {}},
}
for what, doc in must_reject.items():
    if validator.is_valid(doc):
        failed += 1
        print(f"FAIL the schema accepts a file with {what}")
    else:
        passed += 1

# Files the schema must accept although no pipeline spells them so.
must_accept = {
    "null for a nullable number": {"pipeline": "x", "stages": {
        "a": {"use": "kernel_pca", "with": {"gamma": None, "n_components": 2}},
        "b": {"use": "pca", "input": "a", "with": {"solver": "randomized", "n_components": 2,
                                                   "iterated_power": None}}}},
    "pipeline name starting with a digit": {"pipeline": "3d-cloud", "stages": {"a": {"use": "pca"}}},
}
for what, doc in must_accept.items():
    errors = [e.message for e in validator.iter_errors(doc)]
    if errors:
        failed += 1
        print(f"FAIL the schema rejects a file with {what}: " + "; ".join(errors))
    else:
        passed += 1

if passed == 0:
    print("no pipelines found")
    failed += 1
print(f"schema validation: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
