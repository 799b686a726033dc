#!/usr/bin/env python3
"""Independent reference values for `manyi drivers` (issue 17), with numpy.

Run from the repository root:

    python3 tests/reference/drivers.py > tests/fixtures/drivers/reference.json

It (re)writes the two small CSV files of tests/fixtures/drivers/ (a perfectly
collinear item, a constant item) from a fixed seed, then for every case below
reads the CSV with the csv module and computes, by the textbook route and
without anything from manyi:

- the listwise rows (target and every item answered);
- every subset's R² with numpy.linalg.lstsq on [1, items of S] (intercept),
  R² = 1 − RSS/TSS, R²(∅) = 0;
- each item's Shapley (LMG) value by the explicit permutation-weight formula
  Σ_S |S|!(p − |S| − 1)!/p! · (R²(S ∪ {j}) − R²(S));
- Pearson r (None for a constant item), share = importance / R²;
- the 0–100 index over every row that answered the item;
- fix_first: the largest share among items whose index is below the mean index
  and whose share is above the mean share (the quadrant "high importance, low
  satisfaction" that issue 17 names as what to fix first).

Scores: an item with k options scores k … 1 (option A best); a scale question
(q17) its value.
"""

import csv
import itertools
import json
import math
import platform
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "drivers"
INSTRUMENT = json.loads((ROOT / "instruments" / "zg-x-branch-2023.json").read_text("utf-8"))
QUESTIONS = {q["id"]: q for q in INSTRUMENT["questions"]}
SAT = INSTRUMENT["satisfaction"]


def score(qid, text):
    q = QUESTIONS[qid]
    if q["kind"] == "scale":
        return float(int(text))
    letters = [o["code"] for o in q["options"]]
    return float(len(letters) - letters.index(text.strip().upper()))


def read(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def analyse(rows, target, items):
    used = [r for r in rows if all(r[c].strip() for c in items + [target])]
    n = len(used)
    p = len(items)
    X = np.array([[score(c, r[c]) for c in items] for r in used])
    y = np.array([score(target, r[target]) for r in used])
    tss = float(((y - y.mean()) ** 2).sum())

    def r2(subset):
        if not subset:
            return 0.0
        A = np.column_stack([np.ones(n), X[:, list(subset)]])
        beta, *_ = np.linalg.lstsq(A, y, rcond=None)
        resid = y - A @ beta
        return 1.0 - float(resid @ resid) / tss

    fits = {}
    for size in range(p + 1):
        for s in itertools.combinations(range(p), size):
            fits[s] = r2(s)
    full = fits[tuple(range(p))]
    out = []
    for j in range(p):
        others = [i for i in range(p) if i != j]
        phi = 0.0
        for size in range(p):
            w = math.factorial(size) * math.factorial(p - size - 1) / math.factorial(p)
            for s in itertools.combinations(others, size):
                phi += w * (fits[tuple(sorted(s + (j,)))] - fits[s])
        x = X[:, j]
        if x.std() == 0:
            r = None
        else:
            r = float(np.corrcoef(x, y)[0, 1])
        answered = [score(items[j], row[items[j]]) for row in rows if row[items[j]].strip()]
        k = len(QUESTIONS[items[j]]["options"])
        index = (sum(answered) / len(answered) - 1.0) / (k - 1) * 100.0
        out.append(
            {
                "question": items[j],
                "r": r,
                "importance": phi,
                "share": phi / full if full > 0 else None,
                "index": index,
            }
        )
    mean_index = sum(d["index"] for d in out) / p
    shares = [d["share"] for d in out if d["share"] is not None]
    mean_share = sum(shares) / len(shares) if shares else None
    below = [
        d
        for d in out
        if mean_share is not None and d["index"] < mean_index and (d["share"] or 0) > mean_share
    ]
    fix = max(below, key=lambda d: d["share"])["question"] if below else None
    return {"target": target, "n": n, "r2": full, "items": out, "fix_first": fix}


def write_small():
    """Two small CSVs: q13 identical to q12 (collinear); q15 always B (constant)."""
    rng = random.Random(20170)
    header = ["id"] + [f"q{i}" for i in range(1, 18)]
    for name, tweak in [
        ("collinear.csv", lambda cells: cells.__setitem__(13, cells[12])),
        ("constant.csv", lambda cells: cells.__setitem__(15, "B" if cells[15] else "")),
    ]:
        lines = [",".join(header)]
        for i in range(40):
            z = rng.gauss(0, 1)
            cells = [f"s{i + 1:03d}"] + ["A"] * 11  # q1–q11: not used
            for _ in SAT:
                v = z + rng.gauss(0, 0.9)
                cells.append("A" if v > 0.6 else "B" if v > -0.5 else "C")
            nps = max(0, min(10, round(7 + 2 * z + rng.gauss(0, 1.5))))
            cells.append(str(nps))
            # A few blanks, so listwise deletion matters.
            if i % 9 == 4:
                cells[12 + i % 5] = ""
            if i % 13 == 7:
                cells[17] = ""
            tweak(cells)
            lines.append(",".join(cells))
        (FIX / name).write_text("\n".join(lines) + "\n", "utf-8")


CASES = [
    # (name, CSV relative to the repository root, target, items)
    ("thesis", "www/demo/zg-x-branch-2023.csv", "q17", SAT),
    ("generated", "tests/fixtures/drivers/generated-n2000-seed7.csv", "q17", ["q14", "q12", "q16"]),
    ("collinear", "tests/fixtures/drivers/collinear.csv", "q17", SAT),
    ("constant", "tests/fixtures/drivers/constant.csv", "q17", SAT),
    ("thesis-target-q16", "www/demo/zg-x-branch-2023.csv", "q16", ["q12", "q13", "q14"]),
]


def main():
    write_small()
    cases = []
    for name, path, target, items in CASES:
        case = {"name": name, "csv": path, "items_asked": items}
        case.update(analyse(read(ROOT / path), target, items))
        cases.append(case)
    doc = {
        "provenance": (
            "tests/reference/drivers.py (numpy.linalg.lstsq per subset, explicit Shapley "
            f"weights) run with Python {platform.python_version()}, numpy {np.__version__}; "
            "generated-n2000-seed7.csv is `manyi generate --n 2000 --seed 7`"
        ),
        "cases": cases,
    }
    json.dump(doc, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
