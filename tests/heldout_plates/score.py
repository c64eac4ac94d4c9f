"""Score plate-reader on a held-out folder: greedy IoU matching of its boxes to labels.csv, then the figures.

    uv run plate-reader DIR --json > results.json
    uv run python tests/heldout_plates/score.py DIR results.json [--json] [--details plates.csv]

Exit code 0 when every target of the plate study is met, 1 when some is missed, 2 on bad input.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `heldout_plates` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from heldout_plates.labels import read_labels
from heldout_plates.scoring import load_results, score


def write_details(path: Path, rows: list[dict]) -> None:
    """Per-plate outcomes (not found / unreadable / misread / last digit / exact) as CSV."""
    fields = ["image", "plate", "width_share", "best_iou", "read", "status", "day", "outcome"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folder", type=Path, help="held-out folder holding labels.csv")
    parser.add_argument("results", type=Path, help="the output of plate-reader FOLDER --json")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--details", type=Path, help="also write one CSV row per labelled plate here")
    args = parser.parse_args(argv)
    labels_path = args.folder / "labels.csv"
    try:
        labels = read_labels(labels_path)
    except FileNotFoundError:
        print(f"error: no labels.csv ({labels_path}): generate the folder with generate.py", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: malformed labels ({labels_path}): {exc}", file=sys.stderr)
        return 2
    try:
        results = load_results(args.results)
    except FileNotFoundError:
        print(f"error: no results file ({args.results}): run plate-reader DIR --json > FILE", file=sys.stderr)
        return 2
    except (ValueError, KeyError, TypeError) as exc:
        print(f"error: not plate-reader --json output ({args.results}): {exc}", file=sys.stderr)
        return 2
    figures = score(labels, results)
    if args.details is not None:
        write_details(args.details, figures.details)
    if args.json:
        print(json.dumps({**figures.to_dict(), "missed_targets": figures.failures()}, indent=2))
    else:
        print("\n".join(figures.lines()))
        missed = figures.failures()
        print("all targets met" if not missed else "missed: " + "; ".join(missed))
    return 0 if not figures.failures() else 1


if __name__ == "__main__":
    sys.exit(main())
