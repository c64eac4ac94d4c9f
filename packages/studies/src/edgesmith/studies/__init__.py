"""The solar and CIFAR-10 studies, runnable: solar-forecast train/infer timing and the CIFAR-10 op sweep.

Each study measures on this host through the profiling package (``profile_training``, ``bench``,
``profile_keras_ops``) and writes Markdown + CSV + JSON + PNG into one folder::

    from edgesmith.studies import SolarConfig, run_solar_study
    study = run_solar_study(SolarConfig(max_params=200_000))
    study.write("reports/solar")

The CLI verbs are ``edgesmith-profile study solar`` and ``edgesmith-profile study cifar-sweep``.
Importing this package does not import TensorFlow.
"""

from edgesmith.studies.cifar_sweep import (
    DEFAULT_VARIANTS,
    CifarSweep,
    SweepConfig,
    SweepVariant,
    run_cifar_sweep,
)
from edgesmith.studies.provenance import Provenance
from edgesmith.studies.solar import SolarConfig, SolarStudy, run_solar_study

__all__ = [
    "DEFAULT_VARIANTS",
    "CifarSweep",
    "Provenance",
    "SolarConfig",
    "SolarStudy",
    "SweepConfig",
    "SweepVariant",
    "run_cifar_sweep",
    "run_solar_study",
]
