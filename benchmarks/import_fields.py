"""Per-field table of what the PDS importer reads from the sample data sheets.

    .venv/bin/python benchmarks/import_fields.py [FILE_OR_DIR ...]

Without arguments it reads ``../shared/pds-samples/*.txt`` and the seed. For each record
field it prints in how many sheets the field was found with a value, found empty (the
sheet prints the label with nothing after it), or absent; then, per sheet, the layout,
fields found, labels left in ``extra``, warnings, and the time taken.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.errors import Severity  # noqa: E402
from generator.importers import import_pds  # noqa: E402
from generator.schemas import load_schema  # noqa: E402

SHARED = ROOT.parent / "shared"
NOT_FROM_SHEETS = {"places", "topics", "language", "source", "extra"}


def _inputs(args: list[str]) -> list[Path]:
    if not args:
        return [*sorted((SHARED / "pds-samples").glob("*.txt")), *sorted((SHARED / "seed").glob("*.txt"))]
    found: list[Path] = []
    for arg in args:
        path = Path(arg)
        found.extend(sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path])
    return found


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {} or value == ""


def _leaves(record: dict[str, Any]) -> dict[str, Any]:
    """Top-level fields, with the objects (officer, timetable...) split into their own fields."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict) and key not in ("title",) and not {"en", "zh"} & set(value):
            for sub, inner in value.items():
                if isinstance(inner, dict) and sub == "categories":
                    out.update({f"{key}.{sub}.{k}": v for k, v in inner.items()})
                else:
                    out[f"{key}.{sub}"] = inner
        else:
            out[key] = value
    return out


def _field_order() -> list[str]:
    props: dict[str, Any] = load_schema("project")["properties"]
    order: list[str] = []
    for key, spec in props.items():
        if key in NOT_FROM_SHEETS:
            continue
        sub = spec.get("properties", {})
        if sub and key != "title":
            for name, inner in sub.items():
                if name == "categories":
                    order.extend(f"{key}.categories.{k}" for k in inner["properties"])
                else:
                    order.append(f"{key}.{name}")
        else:
            order.append(key)
    return order


def _key_fields(record: dict[str, Any]) -> dict[str, Any]:
    """The key fields of a record in the terms of ``expected.json``."""
    sources = [s for f in record.get("funding", []) for s in f.get("sources", [])]
    return {
        "number": record.get("number"),
        "name": record.get("title"),
        "status": record.get("status"),
        "amounts_usd": {s["amount"] for s in sources if s.get("amount") is not None},
        "country": record.get("countries") or [],
        "modalities": record.get("modalities"),
        "officer": (record.get("officer") or {}).get("name"),
        "sectors": [s["sector"] for s in record.get("sectors", [])],
    }


def _right(key: str, want: Any, got: Any) -> bool:
    if key == "amounts_usd":
        return bool(set(want) == got)
    if key == "country":
        return bool(want in got)
    return bool(want == got)


def _accuracy(paths: list[Path], records: dict[Path, dict[str, Any]]) -> None:
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    wrong: list[str] = []
    for path in paths:
        expected_file = path.parent / "expected.json"
        if not expected_file.is_file():
            continue
        want = json.loads(expected_file.read_text("utf-8")).get(path.name, {})
        got = _key_fields(records[path])
        for key, value in want.items():
            if key not in got:
                continue
            total[key] += 1
            if _right(key, value, got[key]):
                right[key] += 1
            else:
                wrong.append(f"{path.name}: {key} expected {value!r}, got {got[key]!r}")
    if not total:
        return
    print(f"\n{'key field (expected.json)':44} {'right':>6} {'of':>6} {'%':>7}")
    for key in total:
        print(f"{key:44} {right[key]:>6} {total[key]:>6} {100 * right[key] / total[key]:>6.1f}%")
    all_right, all_total = sum(right.values()), sum(total.values())
    print(f"{'all':44} {all_right:>6} {all_total:>6} {100 * all_right / all_total:>6.1f}%")
    for line in wrong:
        print(f"  wrong: {line}")


def main(args: list[str]) -> int:
    paths = _inputs(args)
    found: Counter[str] = Counter()
    empty: Counter[str] = Counter()
    rows: list[tuple[str, str, int, int, int, int, float]] = []
    extra_labels: Counter[str] = Counter()
    records: dict[Path, dict[str, Any]] = {}
    for path in paths:
        start = time.perf_counter()
        result = import_pds(path.read_text("utf-8", errors="replace"), str(path), file_name=path.name)
        took = (time.perf_counter() - start) * 1000
        records[path] = result.record
        leaves = _leaves(result.record)
        for key, value in leaves.items():
            (empty if _empty(value) else found)[key] += 1
        extra = result.record.get("extra", {})
        extra_labels.update(list(extra))
        warnings = sum(1 for p in result.problems if p.severity is Severity.WARNING)
        errors = sum(1 for p in result.problems if p.severity is Severity.ERROR)
        filled = sum(1 for k, v in leaves.items() if k not in NOT_FROM_SHEETS and not _empty(v))
        rows.append((path.name, result.layout, filled, len(extra), warnings, errors, took))
    total = len(paths)
    print(f"Fields over {total} data sheets (found = with a value; empty = label printed without one)\n")
    print(f"{'field':44} {'found':>6} {'empty':>6} {'absent':>7}")
    for key in _field_order():
        absent = total - found[key] - empty[key]
        print(f"{key:44} {found[key]:>6} {empty[key]:>6} {absent:>7}")
    print(f"\n{'labels kept in extra':44} {'sheets':>6}")
    for label, count in extra_labels.most_common():
        print(f"{label[:44]:44} {count:>6}")
    print(f"\n{'sheet':32} {'layout':10} {'fields':>6} {'extra':>6} {'warn':>5} {'err':>4} {'ms':>7}")
    for name, layout, filled, extras, warnings, errors, took in rows:
        print(f"{name[:32]:32} {layout:10} {filled:>6} {extras:>6} {warnings:>5} {errors:>4} {took:>7.1f}")
    print(
        f"{'total':32} {'':10} {sum(r[2] for r in rows):>6} {sum(r[3] for r in rows):>6} "
        f"{sum(r[4] for r in rows):>5} {sum(r[5] for r in rows):>4} {sum(r[6] for r in rows):>7.1f}"
    )
    _accuracy(paths, records)
    return 1 if any(r[5] for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
