"""The 41-city gravity matrix from the region's populations and Li et al.'s YRD flows."""

from __future__ import annotations

import numpy as np
from sqlalchemy.orm import Session

from dyrd.epidemic.service.mobility import yrd_gravity


def test_yrd_gravity(session: Session) -> None:
    result = yrd_gravity(session)
    assert len(result.codes) == 41
    assert result.trips.shape == (41, 41)
    assert (np.diag(result.trips) == 0).all()
    assert (result.trips[~np.eye(41, dtype=bool)] > 0).all()  # every pair, unlike the source
    assert result.model.gamma > 0  # trips fall with distance
    assert result.model.n_pairs > 300
    # Shanghai (2428 x 10k residents in 2019) is the largest city.
    assert result.population[result.codes.index("310000")] == 2428.14e4
