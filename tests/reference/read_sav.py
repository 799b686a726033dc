"""Reads a .sav file with pyreadstat (ReadStat) and prints what it holds as JSON.

Used by tests/export.rs to check manyi's SPSS export against an independent
reader: variable names, variable labels, value labels, measurement levels, the
file's encoding, each numeric variable's counts and missing, and (with
--values) every string variable's values.

    python3 tests/reference/read_sav.py FILE.sav [--values]
"""

import json
import sys

import pyreadstat


def main():
    path = sys.argv[1]
    df, meta = pyreadstat.read_sav(path)
    out = {
        "n": int(meta.number_rows),
        "encoding": meta.file_encoding,
        "names": list(meta.column_names),
        "labels": dict(zip(meta.column_names, meta.column_labels)),
        "value_labels": {
            var: {str(int(v)): label for v, label in labels.items()}
            for var, labels in meta.variable_value_labels.items()
        },
        "measure": dict(meta.variable_measure),
        "types": dict(meta.readstat_variable_types),
        "counts": {},
        "missing": {},
    }
    for name in meta.column_names:
        column = df[name]
        if meta.readstat_variable_types[name] == "double":
            answered = column.dropna()
            out["counts"][name] = {
                str(int(v)): int(c) for v, c in answered.value_counts().items()
            }
            out["missing"][name] = int(column.isna().sum())
        elif "--values" in sys.argv:
            out.setdefault("values", {})[name] = column.tolist()
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
