"""Score plate-reader's JSON against labels.csv: greedy IoU matching, then the plate study's figures.

Figures are shares of labelled plates (found, last digit, exact plate) or of photos (wrong restriction day,
invented plates on photos without one). A reading counts only when plate-reader marked it "ok": an
"unreadable" plate is not a right digit, but neither is it a wrong day.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path, PurePath
from typing import Any

import numpy as np

from .labels import LabelledPhoto
from .plate_text import DAY_OF_DIGIT

IOU_MATCH = 0.5
IOU_NEAR = 0.1  # a loose box still "points at" a plate when judging the day it names
SIZE_BANDS = ((0.0, 0.2), (0.2, 0.45), (0.45, 1.01))

#: The issue's targets: (figure, comparison, bound).
TARGETS = (
    ("found", ">=", 0.95),
    ("last_digit", ">=", 0.95),
    ("exact", ">=", 0.90),
    ("wrong_day", "<=", 0.01),
    ("invented_on_empty", "<=", 0),
)


@dataclasses.dataclass
class Prediction:
    box: tuple[float, float, float, float]
    text: str
    ok: bool
    last_digit: int | None
    day: str | None


def load_results(path: Path) -> dict[str, list[Prediction] | None]:
    """plate-reader --json output by photo file name; ``None`` for a photo the reader reported an error on.

    Reads the plate study's contract (a list of photos, each with ``plates``) and, so that today's shipped
    reader can be measured too, the older single-box document (``{"results": [{"path", "box_px", ...}]}``).
    """
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    out: dict[str, list[Prediction] | None] = {}
    if isinstance(doc, dict) and "results" in doc:  # the single-box reader before the plate study
        for r in doc["results"]:
            name = PurePath(r["path"]).name
            if r.get("box_px") is None:
                out[name] = []
                continue
            ok = bool(r.get("valid")) and r.get("restriction_day") is not None
            out[name] = [
                Prediction(
                    tuple(map(float, r["box_px"])),
                    r.get("text") or "",
                    ok,
                    r.get("last_digit"),
                    r.get("restriction_day"),
                )
            ]
        return out
    if not isinstance(doc, list):
        raise ValueError(f"{path}: expected a JSON list of photos (plate-reader DIR --json)")
    for photo in doc:
        name = PurePath(photo["image"]).name
        plates = photo.get("plates") or []
        out[name] = [
            Prediction(
                tuple(map(float, p["box"])),
                p.get("text") or "",
                p.get("status") == "ok",
                p.get("last_digit"),
                p.get("restriction_day"),
            )
            for p in plates
        ]
        if photo.get("error") and not plates:
            out[name] = None
    return out


def iou(a, b) -> float:
    """Intersection over union of two boxes (x1, y1, x2, y2); 0 for empty or inverted ones."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    area = max(0.0, a[2] - a[0]) * max(0.0, a[3] - a[1]) + max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])
    return inter / (area - inter) if area - inter > 0 else 0.0


def greedy_match(truth: list, preds: list[Prediction], threshold: float = IOU_MATCH) -> dict[int, int]:
    """Label index → prediction index, taking the highest-IoU pairs first, each side used once."""
    pairs = sorted(
        ((iou(t.box, p.box), i, j) for i, t in enumerate(truth) for j, p in enumerate(preds)), reverse=True
    )
    used_t: set[int] = set()
    used_p: set[int] = set()
    match: dict[int, int] = {}
    for v, i, j in pairs:
        if v <= threshold:
            break
        if i not in used_t and j not in used_p:
            match[i] = j
            used_t.add(i)
            used_p.add(j)
    return match


def canonical(text: str) -> str:
    """The reading as a canonical plate string (upper case, no spaces, ``ABC-123`` with its dash)."""
    t = re.sub(r"[\s._]+", "", text.upper())
    m = re.fullmatch(r"([A-Z]{3})-?([0-9]{3})", t)
    return f"{m.group(1)}-{m.group(2)}" if m else t


@dataclasses.dataclass
class Score:
    photos: int
    photos_empty: int
    plates: int
    found: float
    last_digit: float
    exact: float
    unreadable: float
    wrong_day: float
    wrong_day_photos: int
    invented_on_empty: int
    boxes_on_empty: int
    false_ok: int
    missing: int
    by_size: dict[str, dict[str, float]]
    #: One row per labelled plate (photo, truth, best IoU, what was read and the outcome), for debugging.
    details: list[dict[str, Any]] = dataclasses.field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        del d["details"]
        return d

    def failures(self) -> list[str]:
        """The targets this score misses, each as 'figure value (target)'."""
        missed = []
        for name, op, bound in TARGETS:
            value = getattr(self, name)
            if not (value >= bound if op == ">=" else value <= bound):
                missed.append(f"{name} {_fmt(name, value)} (target {op} {_fmt(name, bound)})")
        return missed

    def lines(self) -> list[str]:
        """Human-readable figures, one per line."""
        out = [
            f"photos {self.photos} ({self.photos_empty} without a plate), plates {self.plates}"
            + (f", {self.missing} photos missing from the results" if self.missing else ""),
            f"plate found (IoU > {IOU_MATCH})  {self.found:7.1%}   target >= 95 %",
            f"last digit right         {self.last_digit:7.1%}   target >= 95 %",
            f"exact plate              {self.exact:7.1%}   target >= 90 %",
            f"wrong restriction day    {self.wrong_day:7.1%}   target <= 1 %"
            f"  ({self.wrong_day_photos} photos)",
            f"plates invented on the {self.photos_empty} empty photos: {self.invented_on_empty} read 'ok'"
            f" (target 0), {self.boxes_on_empty} with any box",
            f"found but unreadable     {self.unreadable:7.1%}"
            f"   'ok' readings matching no plate: {self.false_ok}",
        ]
        for band, fig in self.by_size.items():
            out.append(
                f"  plates {band} of the photo width: n={int(fig['n'])}, found {fig['found']:.1%}, "
                f"last digit {fig['last_digit']:.1%}, exact {fig['exact']:.1%}"
            )
        return out


def _fmt(name: str, v: float) -> str:
    return str(int(v)) if name == "invented_on_empty" else f"{v:.1%}"


def score(labels: dict[str, LabelledPhoto], results: dict[str, list[Prediction] | None]) -> Score:
    """Match every labelled photo's plates to the reader's boxes and compute the figures."""
    n_plates = found = digit = exact = unreadable = 0
    wrong_photos = invented = boxes_on_empty = false_ok = missing = 0
    bands = {f"{lo:.0%}-{min(hi, 1.0):.0%}": np.zeros(4) for lo, hi in SIZE_BANDS}
    details: list[dict[str, Any]] = []
    for name, photo in labels.items():
        if name not in results:
            missing += 1
        preds = results.get(name) or []
        truth = photo.plates
        match = greedy_match(truth, preds)
        n_plates += len(truth)
        for i, t in enumerate(truth):
            frac = (t.box[2] - t.box[0]) / photo.width
            band = next(k for k, (lo, hi) in zip(bands, SIZE_BANDS, strict=True) if lo <= frac < hi)
            bands[band][0] += 1
            best = max((iou(t.box, p.box) for p in preds), default=0.0)
            row = {"image": name, "plate": t.text, "width_share": round(frac, 4), "best_iou": round(best, 3)}
            details.append(row)
            if i not in match:
                row["outcome"] = "not found"
                continue
            p = preds[match[i]]
            row.update(read=p.text, status="ok" if p.ok else "unreadable", day=p.day)
            found += 1
            bands[band][1] += 1
            if not p.ok:
                row["outcome"] = "unreadable"
                unreadable += 1
                continue
            right_digit = p.last_digit is not None and int(p.last_digit) == int(t.text[-1])
            right_text = canonical(p.text) == t.text
            row["outcome"] = "exact" if right_text else ("last digit" if right_digit else "misread")
            digit += right_digit
            exact += right_text
            bands[band][2] += right_digit
            bands[band][3] += right_text
        matched_preds = set(match.values())
        wrong = False
        for j, p in enumerate(preds):
            if p.ok and j not in matched_preds:
                false_ok += 1
            if p.day is None:
                continue
            near = max(((iou(t.box, p.box), t) for t in truth), default=(0.0, None), key=lambda x: x[0])
            if near[1] is None or near[0] <= IOU_NEAR or DAY_OF_DIGIT[int(near[1].text[-1])] != p.day:
                wrong = True
        wrong_photos += wrong
        if not truth:
            invented += any(p.ok or p.day is not None for p in preds)
            boxes_on_empty += bool(preds)
    photos = len(labels)
    empty = sum(1 for p in labels.values() if not p.plates)
    by_size = {
        k: {
            "n": float(v[0]),
            "found": _share(v[1], v[0]),
            "last_digit": _share(v[2], v[0]),
            "exact": _share(v[3], v[0]),
        }
        for k, v in bands.items()
    }
    return Score(
        photos=photos,
        photos_empty=empty,
        plates=n_plates,
        found=_share(found, n_plates),
        last_digit=_share(digit, n_plates),
        exact=_share(exact, n_plates),
        unreadable=_share(unreadable, n_plates),
        wrong_day=_share(wrong_photos, photos),
        wrong_day_photos=wrong_photos,
        invented_on_empty=invented,
        boxes_on_empty=boxes_on_empty,
        false_ok=false_ok,
        missing=missing,
        by_size=by_size,
        details=details,
    )


def _share(a: float, b: float) -> float:
    return float(a) / float(b) if b else 0.0
