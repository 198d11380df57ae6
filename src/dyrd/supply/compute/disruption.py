"""ARIO-style propagation of production restrictions through a supply network (pure numpy).

The firm-level adaptive regional input-output model of Inoue & Todo (2020, PLoS ONE 15(9):
e0239251), itself the firm-level form of Hallegatte's ARIO model (Hallegatte 2008, Risk
Analysis 28(3): 779-799). Nodes are firms or city-sector cells; ``Z[j, i]`` is the baseline
daily value node ``j`` delivers to node ``i`` and ``f[i]`` the baseline daily final demand, so
the baseline output is ``x = Z.sum(1) + f`` and the input coefficients are
``A[j, i] = Z[j, i] / x[i]``. Each day ``t``:

1. demand ``D_i = sum_k O[i, k] + f_i`` (orders placed with ``i`` yesterday plus final demand);
2. production ``x_i = min(x_i (1 - delta_i(t)), min_j S[j, i] / A[j, i], D_i)``: capacity left
   by the restriction, the Leontief input constraint on the inventory held, and demand;
3. inputs are used (``S -= A x``), output is rationed proportionally to orders and delivered
   (``S[j, i] += O[j, i] x_j / D_j``);
4. orders for tomorrow replace use and close the gap to the target inventory at rate 1/tau:
   ``O[j, i] = max(0, A[j, i] D_i + (S*[j, i] - S[j, i]) / tau)``, ``S* = (1 + n_i) A[j, i] D_i``.

A day's deliveries are used the next day, so one day of inputs is always in the pipeline and
``n_i`` (``buffer_days``) counts the buffer beyond it: ``buffer_days = 0`` is the model with no
inventories, in which output falls to the supply-constrained input-output bound
(``supply_constrained_bound``). Final demand is held at its baseline (Inoue & Todo 2020 model the
lockdown as a supply shock only).

Losses: the direct loss of node ``i`` is the capacity the restriction takes away,
``sum_t delta_i(t) x_i``; the total loss is ``sum_t (x_i - x_i(t))``; the indirect loss is their
difference (never negative, since output never exceeds the restricted capacity).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

DEFAULT_BUFFER_DAYS = 9.0
"""Target inventory in days of input use: Inoue & Todo (2020) draw n_i with mean 9 days
(following Hallegatte 2014); one value for every node unless the caller gives them."""

DEFAULT_TAU_DAYS = 6.0
"""Inventory restoration time: the ARIO default tau of about 6 days (Hallegatte 2008;
Inoue & Todo 2020 use the same)."""


_ROUNDING = 1e-12


class ModelError(ValueError):
    """Inputs the model cannot use; carries both languages."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh


@dataclass(frozen=True, slots=True)
class Network:
    """Baseline flows ``Z`` (supplier row, customer column), final demand and node cities."""

    flows: Array
    final_demand: Array
    city: NDArray[np.int64]

    @property
    def output(self) -> Array:
        """Baseline daily output x = Z 1 + f."""
        out: Array = self.flows.sum(axis=1) + self.final_demand
        return out


@dataclass(frozen=True, slots=True)
class Params:
    """Inventory buffer (days beyond the one-day pipeline) and restoration time."""

    buffer_days: float | Array = DEFAULT_BUFFER_DAYS
    tau_days: float = DEFAULT_TAU_DAYS


@dataclass(frozen=True, slots=True)
class Result:
    """Daily output path and the losses it implies."""

    baseline: Array
    output: Array
    """(days, nodes) daily production."""
    direct: Array
    total: Array
    bottleneck: Array
    """Output lost downstream on days this node was the binding input of a customer."""
    input_bound_days: NDArray[np.int64]
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def indirect(self) -> Array:
        """Total minus direct loss per node (clipped at 0 against rounding)."""
        out: Array = np.maximum(self.total - self.direct, 0.0)
        return out


def validate(network: Network, delta: Array) -> None:
    """Refuse shapes or values the model cannot use."""
    z, f = network.flows, network.final_demand
    n = f.shape[0]
    if z.shape != (n, n) or network.city.shape != (n,):
        raise ModelError(
            "Flows must be nodes x nodes and cities one per node.",
            "流量矩阵应为 节点×节点，城市应与节点一一对应。",
        )
    if not (np.isfinite(z).all() and np.isfinite(f).all()) or (z < 0).any() or (f < 0).any():
        raise ModelError(
            "Flows and final demand must be finite and >= 0.", "流量与最终需求须为非负有限数。"
        )
    if (network.output <= 0).any():
        raise ModelError(
            "Every node needs a positive baseline output (sales or final demand).",
            "每个节点的基准产出须为正（有销售或最终需求）。",
        )
    if delta.ndim != 2 or not np.isfinite(delta).all() or (delta < 0).any() or (delta > 1).any():
        raise ModelError(
            "Restrictions are a days x cities array of shares in [0, 1].",
            "限制应为 天×城市 的 [0, 1] 比例数组。",
        )
    if n and network.city.max() >= delta.shape[1]:
        raise ModelError("A node's city has no restriction column.", "某节点的城市缺少限制数据。")


def simulate(network: Network, delta: Array, params: Params | None = None) -> Result:
    """Run the model for ``delta.shape[0]`` days; ``delta[t, c]`` is city c's lost share."""
    params = params or Params()
    validate(network, delta)
    z, f = network.flows, network.final_demand
    x0 = network.output
    n = x0.shape[0]
    days = delta.shape[0]
    has_input = z > 0
    buffer = np.broadcast_to(np.asarray(params.buffer_days, dtype=np.float64), (n,))
    tau = float(params.tau_days)
    if not (np.isfinite(buffer).all() or np.isinf(buffer).all()) or (buffer < 0).any():
        raise ModelError("buffer_days must be >= 0.", "缓冲库存天数须 >= 0。")
    if not tau >= 1:
        raise ModelError("tau_days must be >= 1 (or infinite).", "库存恢复时间须 >= 1 天。")
    # Every flow is scaled from Z by a ratio to the baseline output (A x = Z (x / x0)), never
    # through A = Z / x0: at the baseline the ratio is exactly 1.0, so orders stay bit-for-bit
    # at Z. A one-ulp drift would otherwise be amplified by restocking orders (the bullwhip
    # effect) until it rations someone.
    stock = np.multiply((1.0 + buffer)[None, :], z, out=np.zeros_like(z), where=has_input)
    safe_z = np.where(has_input, z, 1.0)
    orders = z.copy()
    out = np.empty((days, n))
    bottleneck = np.zeros(n)
    bound_days = np.zeros(n, dtype=np.int64)
    node_delta = delta[:, network.city]
    for t in range(days):
        demand = orders.sum(axis=1) + f
        cap = x0 * (1.0 - node_delta[t])
        days_of_input = np.where(has_input, stock / safe_z, np.inf)
        inp = x0 * days_of_input.min(axis=0)
        other = np.minimum(cap, demand)
        x = np.minimum(other, inp)
        binding = inp < other
        if binding.any():
            idx = np.flatnonzero(binding)
            suppliers = days_of_input[:, idx].argmin(axis=0)
            np.add.at(bottleneck, suppliers, other[idx] - inp[idx])
            bound_days[idx] += 1
        out[t] = x
        stock -= z * (x / x0)[None, :]
        np.maximum(stock, 0.0, out=stock)  # rounding only: use never exceeds stock by (2)
        fill = np.divide(x, demand, out=np.zeros(n), where=demand > 0)
        stock += orders * fill[:, None]
        wanted = z * (demand / x0)[None, :]
        if np.isinf(tau) or np.isinf(buffer).all():
            orders = wanted
        else:
            target = (1.0 + buffer)[None, :] * wanted
            gap = target - stock
            # Use then delivery ((1+n)z - z + z) can leave a one-ulp gap; restocking it would
            # start the bullwhip. Gaps below rounding of the target are no gaps.
            gap[np.abs(gap) <= _ROUNDING * target] = 0.0
            orders = np.maximum(wanted + gap / tau, 0.0)
    direct = (node_delta * x0[None, :]).sum(axis=0)
    total = (x0[None, :] - out).sum(axis=0)
    return Result(
        baseline=x0,
        output=out,
        direct=direct,
        total=total,
        bottleneck=bottleneck,
        input_bound_days=bound_days,
    )


def supply_constrained_bound(network: Network, delta: Array) -> Array:
    """Output share of each node when no inventory buffers anything and demand holds.

    The fixed point of ``u_i = min(1 - delta_i, min over suppliers j of u_j)`` for one constant
    restriction vector ``delta`` (per city): each node runs at the lowest remaining capacity
    along all its upstream paths, the Leontief supply-constrained bound.
    """
    node = 1.0 - delta[network.city]
    supplies = network.flows > 0
    u = node.copy()
    for _ in range(u.shape[0] + 1):
        upstream = np.where(supplies, u[:, None], np.inf).min(axis=0)
        nxt = np.minimum(node, upstream)
        if np.array_equal(nxt, u):
            break
        u = nxt
    return u


def aggregate(values: Array, groups: Mapping[str, Sequence[int]]) -> dict[str, float]:
    """Sum a per-node array over named node groups (cities, chains)."""
    return {name: float(values[list(idx)].sum()) for name, idx in groups.items()}


def synthetic_network(
    rng: np.random.Generator,
    *,
    cities: int,
    nodes_per_city: int,
    suppliers_per_node: int,
    final_share: float,
) -> Network:
    """A random network for tests and demonstrations (SYNTHETIC, describes no real economy).

    Every node buys from ``suppliers_per_node`` random other nodes (any city) lognormal daily
    values, and sells ``final_share`` of its output to final demand.
    """
    n = cities * nodes_per_city
    z = np.zeros((n, n))
    for i in range(n):
        others = np.delete(np.arange(n), i)
        chosen = rng.choice(others, size=min(suppliers_per_node, n - 1), replace=False)
        z[chosen, i] = rng.lognormal(0.0, 0.5, size=chosen.shape[0])
    sales = z.sum(axis=1)
    # f chosen so that final demand is final_share of each node's output.
    f = np.where(sales > 0, sales * final_share / (1.0 - final_share), 1.0)
    city = np.repeat(np.arange(cities), nodes_per_city).astype(np.int64)
    return Network(flows=z, final_demand=f, city=city)
