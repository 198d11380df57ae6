"""Epidemic intelligence: metapopulation SEIR on a mobility network, IF-EAKF calibration.

Other domains use only what ``__all__`` lists: the calibration, the recommended response levels
per city at a forecast origin (``response_levels``) and the provincial levels declared in 2020
(``declared_periods`` with ``declared_level``).
"""

from dyrd.epidemic.compute.response_levels import DeclaredPeriod, ResponseLevel, declared_level
from dyrd.epidemic.schemas import LevelReport
from dyrd.epidemic.service.calibration import CalibrationReport, PosteriorRow, calibrate_li2020
from dyrd.epidemic.service.levels import declared_periods, response_levels
from dyrd.epidemic.types import (
    LI2020_POSTERIOR,
    LI2020_PRIOR,
    ModelParams,
    Parameter,
    ParameterBounds,
    ReportingDelay,
)

__all__ = [
    "LI2020_POSTERIOR",
    "LI2020_PRIOR",
    "CalibrationReport",
    "DeclaredPeriod",
    "LevelReport",
    "ModelParams",
    "Parameter",
    "ParameterBounds",
    "PosteriorRow",
    "ReportingDelay",
    "ResponseLevel",
    "calibrate_li2020",
    "declared_level",
    "declared_periods",
    "response_levels",
]
