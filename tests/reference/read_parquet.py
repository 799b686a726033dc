"""Reads a Parquet file with pyarrow and DuckDB and prints what they see as JSON.

Used by tests/export.rs to check manyi's Parquet export against two
independent readers:
- pyarrow: each column's Arrow type, nullability, null count and value
  counts, and the file's key-value metadata;
- DuckDB: `SELECT q17, count(*) … GROUP BY q17` and the NPS computed in SQL
  (% of answers 9–10 minus % of answers 0–6, over answered only).

    python3 tests/reference/read_parquet.py FILE.parquet [NPS_COLUMN]
"""

import json
import sys

import duckdb
import pyarrow.parquet as pq


def main():
    path = sys.argv[1]
    nps = sys.argv[2] if len(sys.argv) > 2 else "q17"
    table = pq.read_table(path)
    meta = pq.read_metadata(path).metadata or {}
    columns = {}
    for field in table.schema:
        column = table.column(field.name)
        counts = {}
        distinct = column.value_counts().to_pylist()
        # Ids are all different: their counts would only make the output long.
        if len(distinct) <= 1000:
            for item in distinct:
                if item["values"] is not None:
                    counts[str(item["values"])] = item["counts"]
        columns[field.name] = {
            "type": str(field.type),
            "nullable": field.nullable,
            "nulls": column.null_count,
            "counts": counts,
        }
    con = duckdb.connect()
    groups = con.execute(
        f'SELECT "{nps}", count(*) FROM read_parquet(?) GROUP BY "{nps}" ORDER BY "{nps}"',
        [path],
    ).fetchall()
    score = con.execute(
        f'SELECT 100.0 * (count(*) FILTER (WHERE "{nps}" >= 9) - count(*) FILTER (WHERE "{nps}" <= 6))'
        f' / NULLIF(count("{nps}"), 0) FROM read_parquet(?)',
        [path],
    ).fetchone()[0]
    out = {
        "rows": table.num_rows,
        "names": table.schema.names,
        "metadata": {k.decode(): v.decode() for k, v in meta.items()},
        "columns": columns,
        "duckdb_groups": [[k, c] for k, c in groups],
        "duckdb_nps": score,
    }
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
