"""--input-shape parsing and matching; agreement, top-5 and user metric plugins."""

from __future__ import annotations

import numpy as np
import pytest

from edgesmith.profiling.metrics import METRICS, agreement, get_metric, top5, unlabeled_metric
from edgesmith.profiling.shapes import SINGLE, ShapeError, parse_input_shapes, resolve


def test_input_shapes_parse_and_fit_the_model() -> None:
    shapes = parse_input_shapes(["x:1x3x640x640"])
    assert shapes == {"x": (1, 3, 640, 640)}
    assert parse_input_shapes("1x3x32x32") == {SINGLE: (1, 3, 32, 32)}
    inputs = [("x", (None, 3, None, None))]
    assert resolve(parse_input_shapes("1x3x32x48"), inputs) == {"x": (1, 3, 32, 48)}
    with pytest.raises(ShapeError, match="no input named 'y'"):
        resolve(parse_input_shapes("y:1x3x8x8"), inputs)
    with pytest.raises(ShapeError, match="rank 4"):
        resolve(parse_input_shapes("x:1x8x8"), inputs)
    with pytest.raises(ShapeError, match="fixed at 3"):
        resolve(parse_input_shapes("x:1x4x8x8"), inputs)
    with pytest.raises(ShapeError, match="1x3x640x640"):
        parse_input_shapes("x:1xthree")


def test_agreement_is_not_a_meaningless_100_percent() -> None:
    ref = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    same = agreement(ref, ref)
    assert (
        same["top1_agreement"] == 100.0
        and same["cosine"] == pytest.approx(1.0)
        and same["max_abs_error"] == 0
    )
    flipped = agreement(ref, ref[:, ::-1])
    assert flipped["top1_agreement"] == 0.0 and flipped["max_abs_error"] == pytest.approx(0.8)
    assert unlabeled_metric((3, 2)).name == "agreement" and unlabeled_metric((3, 896, 16)).name == "fidelity"
    assert METRICS["fidelity"].targets_are_reference and not METRICS["fidelity"].needs_labels


def test_top5() -> None:
    scores = np.eye(7)[[0, 1, 2]] + np.linspace(0, 0.5, 7)  # argmax = label for all but the last
    scores[2] = np.arange(7)  # label 2 is the 5th best score of sample 2
    values = top5(np.array([0, 1, 2]), scores)
    assert values["accuracy"] == pytest.approx(200 / 3) and values["top5"] == 100.0


def test_user_metric_plugin_from_a_file(tmp_path) -> None:
    (tmp_path / "my_metric.py").write_text(
        "import numpy as np\n"
        "def hits(y_true, y_pred):\n"
        "    return float((np.asarray(y_pred).argmax(1) == y_true).sum())\n"
        "def err(y_true, y_pred):\n"
        "    return {'e': 1.0, 'other': 2.0}\n"
        "err.key = 'e'\n"
        "err.higher_is_better = False\n"
    )
    m = get_metric(f"{tmp_path}/my_metric.py:hits")
    assert m.key == "hits" and m.compute(np.array([1, 0]), np.array([[0, 1], [0, 1]])) == {"hits": 1.0}
    e = get_metric(f"{tmp_path}/my_metric.py:err")
    assert e.key == "e" and not e.higher_is_better
    with pytest.raises(ValueError, match="no function 'nope'"):
        get_metric(f"{tmp_path}/my_metric.py:nope")
    with pytest.raises(ValueError, match="cannot import metric module"):
        get_metric("no_such_module_xyz:f")
