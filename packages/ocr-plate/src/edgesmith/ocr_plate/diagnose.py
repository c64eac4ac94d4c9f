"""Why readings fail: sort each misread into one kind and count character confusions.

Used to choose what to fix in the reader (more data, the rectifier, the threshold) from evidence on
validation crops, never on the held-out photos. Kinds, in the order they are tested:

* ``ok`` — readable and exact;
* ``wrong`` — readable but not the plate (names a day; ``wrong day`` when it is the wrong one);
* ``refused-right`` — the raw text was right but some character fell under the threshold;
* ``dropped-first`` / ``dropped-last`` / ``dropped-inner`` — one character missing;
* ``extra`` — one character too many;
* ``low-confidence`` — full format, not the plate, refused by the threshold (a guess stopped);
* ``substitution`` — same length, not a full format, some characters wrong;
* ``other`` — anything else (several characters missing, nothing read).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from edgesmith.ocr_plate.plate_format import canonical_plate
from edgesmith.ocr_plate.reading import PlateReading


def _bare(text: str) -> str:
    return text.replace("-", "").replace(" ", "")


def failure_kind(reading: PlateReading, truth: str) -> str:
    """The kind of one reading against its true plate text (see the module docstring)."""
    want = canonical_plate(truth) or truth
    if reading.readable:
        return "ok" if reading.text == want else "wrong"
    got, ref = _bare(reading.text), _bare(want)
    if got == ref:
        return "refused-right"
    if len(got) == len(ref) - 1:
        if got == ref[1:]:
            return "dropped-first"
        if got == ref[:-1]:
            return "dropped-last"
        if any(ref[:i] + ref[i + 1 :] == got for i in range(len(ref))):
            return "dropped-inner"
    if len(got) == len(ref) + 1 and any(got[:i] + got[i + 1 :] == ref for i in range(len(got))):
        return "extra"
    if reading.valid and "below confidence" in (reading.reason or ""):
        return "low-confidence"
    if len(got) == len(ref):
        return "substitution"
    return "other"


def char_confusions(readings: Sequence[PlateReading], texts: Sequence[str]) -> Counter[tuple[str, str]]:
    """``(true char, read char)`` counts over readings of the right length that differ from the plate."""
    pairs: Counter[tuple[str, str]] = Counter()
    for r, t in zip(readings, texts, strict=True):
        got, ref = _bare(r.text), _bare(canonical_plate(t) or t)
        if len(got) == len(ref) and got != ref:
            pairs.update((a, b) for a, b in zip(ref, got, strict=True) if a != b)
    return pairs


def summarise(readings: Sequence[PlateReading], texts: Sequence[str]) -> dict[str, float]:
    """Share of readings of each kind (keys as :func:`failure_kind` names them), summing to 1."""
    kinds = Counter(failure_kind(r, t) for r, t in zip(readings, texts, strict=True))
    return {k: v / len(texts) for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])}


__all__ = ["char_confusions", "failure_kind", "summarise"]
