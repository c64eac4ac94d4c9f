"""Markdown and CSV text for lists of flat records (the studies' tables, generated from data)."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from typing import Any


def _cell(v: Any, fmt: str | None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if fmt and isinstance(v, int | float) and not isinstance(v, bool):
        return format(v, fmt)
    return str(v)


def markdown_table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str, str | None]]) -> str:
    """A Markdown table; ``columns`` = (key, header, format spec or None); numbers right-aligned."""
    head = "| " + " | ".join(h for _, h, _ in columns) + " |"
    align = "|" + "|".join("---:" if f else "---" for _, _, f in columns) + "|"
    body = ["| " + " | ".join(_cell(r.get(k), f) for k, _, f in columns) + " |" for r in rows]
    return "\n".join([head, align, *body]) + "\n"


def csv_text(rows: Sequence[dict[str, Any]]) -> str:
    """CSV with a header of every key seen (first-seen order); None becomes an empty cell."""
    keys: list[str] = []
    for r in rows:
        keys += [k for k in r if k not in keys]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=keys, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in keys})
    return buf.getvalue()
