"""Use cases of the economy domain: indicators, index, inequality, value added, imports."""

from dyrd.economy.service.coupling import coupling, coupling_of_index
from dyrd.economy.service.imports import import_yearbook, load_bundled
from dyrd.economy.service.index import composite_index
from dyrd.economy.service.inequality import convergence, inequality
from dyrd.economy.service.panel import list_indicators
from dyrd.economy.service.stability import StabilityCache
from dyrd.economy.service.tiva import value_added
from dyrd.economy.service.warning import evaluate_alerts

__all__ = [
    "StabilityCache",
    "composite_index",
    "convergence",
    "coupling",
    "coupling_of_index",
    "evaluate_alerts",
    "import_yearbook",
    "inequality",
    "list_indicators",
    "load_bundled",
    "value_added",
]
