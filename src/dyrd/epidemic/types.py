"""Pure value types of the epidemic domain: model parameters, priors, reporting delay.

Sources (cited per default below):

* **Li2020**: R. Li, S. Pei, B. Chen, Y. Song, T. Zhang, W. Yang, J. Shaman, "Substantial
  undocumented infection facilitates the rapid dissemination of novel coronavirus
  (SARS-CoV-2)", Science 368:489-493 (2020), doi:10.1126/science.abb3221, Table 1 and the
  supplement; and its released code, github SenPei-CU/COVID-19 @ 0356d8d9 (Apache-2.0):
  ``initialize.m`` (prior ranges), ``inference.m`` (delay, inflation, OEV, iterations).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from dyrd.epidemic.errors import InvalidParameter, field


class Parameter(StrEnum):
    """The six global parameters of the Li2020 model, in the order of its state vector."""

    BETA = "beta"
    """Transmission rate of documented infections (per day)."""
    MU = "mu"
    """Relative transmission rate of undocumented infections (fraction of beta)."""
    THETA = "theta"
    """Multiplicative factor on the mobility matrix (corrects the coverage of the trip data)."""
    Z = "Z"
    """Average latency period (days)."""
    ALPHA = "alpha"
    """Fraction of infections that are documented."""
    D = "D"
    """Average duration of infectiousness (days)."""


PARAMETERS: tuple[Parameter, ...] = tuple(Parameter)
"""Column order of every parameter array, shape (n_members, 6)."""


@dataclass(frozen=True, slots=True)
class ModelParams:
    """One parameter set of the Li2020 metapopulation SEIR.

    Defaults: Li2020 Table 1, 10-23 Jan 2020 posterior. mu 0.55, Z 3.69, alpha 0.14 and D 3.47
    are the published medians. beta 1.12 is the value that gives the published
    Re = 2.38 = beta*D*(alpha + (1-alpha)*mu) with those medians (2.38/(3.47*0.613) = 1.119).
    theta 1.36 is the Table 1 median as quoted in our research note; it is inside the
    Li2020 prior (1-1.75) and only scales the mobility data.
    """

    beta: float = 1.12
    mu: float = 0.55
    theta: float = 1.36
    Z: float = 3.69
    alpha: float = 0.14
    D: float = 3.47

    def __post_init__(self) -> None:
        problems = []
        for name in PARAMETERS:
            value = float(getattr(self, name))
            if math.isnan(value) or value < 0:
                problems.append(
                    field(name, f"{name} must be finite and >= 0", f"{name} 须为非负有限数", value)
                )
        if self.Z <= 0 or self.D <= 0:
            problems.append(
                field("Z/D", "Z and D are durations and must be > 0", "Z 与 D 为时长, 须大于 0")
            )
        if not 0 <= self.alpha <= 1:
            problems.append(
                field(
                    "alpha", "alpha is a fraction in [0, 1]", "alpha 为 [0, 1] 内的比例", self.alpha
                )
            )
        if problems:
            raise InvalidParameter(
                "; ".join(p.message for p in problems),
                "; ".join(p.message_zh for p in problems),
                errors=problems,
            )

    def as_tuple(self) -> tuple[float, ...]:
        """The values in ``PARAMETERS`` order."""
        return tuple(float(getattr(self, name)) for name in PARAMETERS)

    @property
    def re(self) -> float:
        """Effective reproductive number, Li2020: Re = alpha*beta*D + (1-alpha)*mu*beta*D."""
        return effective_reproduction(self.beta, self.mu, self.alpha, self.D)


@dataclass(frozen=True, slots=True)
class Posterior:
    """A calibration's parameters for forecasts: the IF point estimate and the member ensemble.

    Forecasts fit their transmission factors around ``estimate`` and give each stochastic member
    a row of ``ensemble`` (``PARAMETERS`` order), so the calibration's parameter uncertainty
    reaches the forecast intervals.
    """

    estimate: ModelParams
    ensemble: tuple[tuple[float, ...], ...]
    source: str
    """What was calibrated on, when and how (shown with every forecast that uses it)."""


def effective_reproduction(beta: float, mu: float, alpha: float, d: float) -> float:
    """Li2020's Re = alpha*beta*D + (1-alpha)*mu*beta*D (documented plus undocumented)."""
    return alpha * beta * d + (1.0 - alpha) * mu * beta * d


@dataclass(frozen=True, slots=True)
class ParameterBounds:
    """Uniform prior ranges (and hard bounds during filtering) of the six parameters."""

    beta: tuple[float, float]
    mu: tuple[float, float]
    theta: tuple[float, float]
    Z: tuple[float, float]
    alpha: tuple[float, float]
    D: tuple[float, float]

    def __post_init__(self) -> None:
        for name in PARAMETERS:
            lo, hi = getattr(self, name)
            if not lo < hi or lo < 0:
                raise InvalidParameter(
                    f"bounds of {name} must satisfy 0 <= low < high, got ({lo}, {hi})",
                    f"参数 {name} 的范围须满足 0 <= 下限 < 上限, 实为 ({lo}, {hi})",
                    errors=[field(name, "bad range", "范围无效", (lo, hi))],
                )

    def low(self) -> tuple[float, ...]:
        """Lower bounds in ``PARAMETERS`` order."""
        return tuple(getattr(self, name)[0] for name in PARAMETERS)

    def high(self) -> tuple[float, ...]:
        """Upper bounds in ``PARAMETERS`` order."""
        return tuple(getattr(self, name)[1] for name in PARAMETERS)


LI2020_PRIOR = ParameterBounds(
    beta=(0.8, 1.5), mu=(0.2, 1.0), theta=(1.0, 1.75), Z=(2.0, 5.0), alpha=(0.02, 1.0), D=(2.0, 5.0)
)
"""Li2020 ``initialize.m`` uniform priors (also the filter's hard bounds)."""


@dataclass(frozen=True, slots=True)
class ReportingDelay:
    """Delay from documentation to report: ceil of a Gamma(shape, mean/shape) draw, in days.

    Defaults: Li2020 ``inference.m`` (Td = 9 days mean, shape a = 1.85).
    """

    mean_days: float = 9.0
    shape: float = 1.85

    def __post_init__(self) -> None:
        if not (self.mean_days > 0 and self.shape > 0):
            raise InvalidParameter(
                "reporting delay mean and shape must be > 0",
                "报告延迟的均值与形状参数须大于 0",
                errors=[
                    field(
                        "reporting_delay", "must be > 0", "须大于 0", (self.mean_days, self.shape)
                    )
                ],
            )


@dataclass(frozen=True, slots=True)
class PublishedEstimate:
    """A published posterior median with its 95% credible interval."""

    median: float
    low: float
    high: float

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies inside the published 95% interval."""
        return self.low <= value <= self.high


LI2020_POSTERIOR: dict[str, PublishedEstimate] = {
    "alpha": PublishedEstimate(0.14, 0.10, 0.18),
    "mu": PublishedEstimate(0.55, 0.46, 0.62),
    "Re": PublishedEstimate(2.38, 2.03, 2.77),
}
"""Li2020 Table 1, 10-23 Jan 2020 (published Science version, not the medRxiv v1)."""
