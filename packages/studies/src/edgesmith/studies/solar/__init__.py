"""Document 002 as a study: training and inference time of solar-forecast MLPs and the map CNN, per device.

Data: the Oahu 1-second grid when its CSVs are given, else the pvlib-based 50-sensor stand-in of
:mod:`edgesmith.datasets`; chronological train/val/test, scaling fitted on train only. Models: Table 3.1's
pyramidal MLPs (those up to ``max_params`` by default, all 30 with ``max_params=None``), Table 3.2's map
CNN and a persistence baseline. Per model and device: one-epoch training time after one warm-up epoch,
``repeats`` times (median and spread), step time and the linearity check t_epoch / (t_step · N_steps),
inference latency at several batch sizes, MSE/MAE/RMSE in W/m² after ``fit_epochs`` of training, and the
largest inference batch that fits. Timings come from :mod:`.epochs` (the training timer of
:mod:`edgesmith.models.training_profile`) and :func:`~edgesmith.profiling.bench.bench`.

Split by concern: :mod:`.config` (settings), :mod:`.measure` (one model), :mod:`.run` (the study),
:mod:`.report` (tables and files), :mod:`.plots` (figures).
"""

from edgesmith.studies.solar.config import TEST_SPLIT, VAL_SPLIT, SolarConfig
from edgesmith.studies.solar.plots import plot_forecast, plot_time_vs_batch, plot_time_vs_params
from edgesmith.studies.solar.report import SolarStudy
from edgesmith.studies.solar.run import run_solar_study

__all__ = [
    "TEST_SPLIT",
    "VAL_SPLIT",
    "SolarConfig",
    "SolarStudy",
    "plot_forecast",
    "plot_time_vs_batch",
    "plot_time_vs_params",
    "run_solar_study",
]
