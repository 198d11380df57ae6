"""High-quality development indicators, composite index, inequality, convergence, value added."""

from dyrd.economy.service import (
    StabilityCache,
    composite_index,
    convergence,
    coupling,
    coupling_of_index,
    evaluate_alerts,
    import_yearbook,
    inequality,
    list_indicators,
    load_bundled,
    value_added,
)

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
