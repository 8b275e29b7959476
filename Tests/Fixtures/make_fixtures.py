#!/usr/bin/env python3
"""Generate the PyTorch reference fixtures that Nabla's Swift tests compare against.

Setup (once, from the repository root; /venv/ is git-ignored):

    python3 -m venv venv && venv/bin/pip install torch numpy safetensors

Regenerate (from the repository root):

    venv/bin/python Tests/Fixtures/make_fixtures.py            # every fixtures_*.py module
    venv/bin/python Tests/Fixtures/make_fixtures.py ops nn     # only the named modules

Every ``fixtures_<suffix>.py`` module in this folder must define ``cases()`` returning a
list of case dicts (build them with ``fixture_helpers.make_case``). Its cases are written
to ``<suffix>.json`` next to this script, as

    {"generator": "make_fixtures.py", "torch_version": "<torch.__version__>",
     "cases": [case, ...]}

with one case per line. Inputs are seeded from the case name, so regenerating is
deterministic; see README.md for the case schema and the tolerance policy.
"""

import glob
import importlib
import json
import os
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402

from fixture_helpers import validate_case  # noqa: E402


def discover():
    mods = []
    for path in sorted(glob.glob(os.path.join(HERE, "fixtures_*.py"))):
        mods.append(os.path.splitext(os.path.basename(path))[0])
    return mods


def write_json(path, cases):
    header = {"generator": "make_fixtures.py", "torch_version": torch.__version__}
    parts = []
    for c in cases:
        parts.append(json.dumps(c, separators=(",", ":"), allow_nan=False))
    text = json.dumps(header, separators=(",", ":"))[:-1]
    text += ',"cases":[\n' + ",\n".join(parts) + "\n]}\n"
    json.loads(text)  # round-trip check
    with open(path, "w") as f:
        f.write(text)
    return len(text.encode("utf-8"))


def main(argv):
    torch.set_default_dtype(torch.float64)
    wanted = set(argv)
    modules = discover()
    if wanted:
        unknown = wanted - {m[len("fixtures_"):] for m in modules}
        if unknown:
            sys.exit("unknown fixture module(s): %s" % ", ".join(sorted(unknown)))
    total = 0
    for modname in modules:
        suffix = modname[len("fixtures_"):]
        if wanted and suffix not in wanted:
            continue
        mod = importlib.import_module(modname)
        cases = mod.cases()
        names = Counter(c["name"] for c in cases)
        dups = [n for n, k in names.items() if k > 1]
        if dups:
            sys.exit("%s: duplicate case names: %s" % (modname, ", ".join(dups)))
        for c in cases:
            validate_case(c)
        out = os.path.join(HERE, suffix + ".json")
        size = write_json(out, cases)
        total += size
        per_op = Counter(c["op"] for c in cases)
        print("%s: %d cases, %.1f KiB -> %s" % (modname, len(cases), size / 1024.0, os.path.relpath(out)))
        for op, n in sorted(per_op.items()):
            print("    %-16s %d" % (op, n))
    print("total %.1f KiB (torch %s)" % (total / 1024.0, torch.__version__))


if __name__ == "__main__":
    main(sys.argv[1:])
