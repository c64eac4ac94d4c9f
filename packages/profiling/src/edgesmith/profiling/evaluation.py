"""Run a whole dataset through a runner in batches and score the predictions with a task metric."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from edgesmith.profiling.metrics import Metric, get_metric
from edgesmith.profiling.runner import InputMismatch, Runner, RunnerError


def dataset_arrays(dataset: Any) -> tuple[np.ndarray, np.ndarray | None, str]:
    """``(x, y, name)`` from an ``ArrayDataset``-like object (``.x``, ``.y``, ``.name``) or ``(x, y)``."""
    if hasattr(dataset, "x"):
        return np.asarray(dataset.x), getattr(dataset, "y", None), str(getattr(dataset, "name", "dataset"))
    if isinstance(dataset, Sequence) and len(dataset) == 2:
        x, y = dataset
        return np.asarray(x), None if y is None else np.asarray(y), "arrays"
    raise TypeError("dataset must be an ArrayDataset (with .x/.y) or an (x, y) pair of arrays")


def predict_all(runner: Runner, x: np.ndarray, batch_size: int = 32) -> np.ndarray:
    """Predictions for every sample of ``x`` (first output), batch by batch; falls back to batch 1 for
    models with a fixed batch dimension."""
    if len(x) == 0:
        raise RunnerError("the dataset is empty; nothing to evaluate")
    outs = []
    step = max(1, min(batch_size, len(x)))
    i = 0
    while i < len(x):
        chunk = x[i : i + step]
        try:
            y = runner.predict(chunk)
        except InputMismatch:
            if step == 1 or len(chunk) == 1:
                raise
            step = 1
            continue
        except Exception:  # a runtime that rejects the batch itself (a fixed batch of 1 in the graph)
            if step == 1 or len(chunk) == 1 or i > 0:
                raise
            step = 1
            continue
        first = y[0] if isinstance(y, list) else y
        outs.append(np.array(first, copy=True))
        i += len(chunk)
    return np.concatenate(outs)


def evaluate(
    runner: Runner,
    dataset: Any,
    metric: str | Metric,
    batch_size: int = 32,
    reference: np.ndarray | None = None,
) -> dict[str, float]:
    """Score ``runner`` on ``dataset`` with ``metric``.

    Autoencoder metrics compare outputs with inputs; agreement metrics (``agreement``, ``fidelity``, a
    plugin with ``needs_labels = False``) compare them with ``reference``, the source model's outputs on
    the same inputs.
    """
    m = get_metric(metric)
    x, y, _ = dataset_arrays(dataset)
    if m.targets_are_reference:
        if reference is None:
            raise RunnerError(f"metric {m.name!r} compares with the source model's outputs; none were given")
        target = reference
    elif m.targets_are_inputs:
        target = x
    elif y is None:
        raise RunnerError(
            f"metric {m.name!r} needs labels but the data has none; use agreement or fidelity "
            "(compare with the source model), reconstruction, or labelled data"
        )
    else:
        target = y
    pred = predict_all(runner, x, batch_size)
    return m.compute(target, pred)
