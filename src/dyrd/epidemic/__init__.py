"""Epidemic intelligence: metapopulation SEIR on a mobility network, IF-EAKF calibration."""

from dyrd.epidemic.service.calibration import CalibrationReport, PosteriorRow, calibrate_li2020
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
    "ModelParams",
    "Parameter",
    "ParameterBounds",
    "PosteriorRow",
    "ReportingDelay",
    "calibrate_li2020",
]
