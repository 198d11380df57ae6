"""Supply chains: enterprises, chains and their join/exit rules, EPCIS events, inventory,
supply-demand matching and disruption analysis.

The public surface other domains and the edges may use is listed in ``__all__``; service
modules are imported from ``dyrd.supply.service.<module>`` by this domain's own edges.
"""

from dyrd.supply.errors import SupplyError
from dyrd.supply.ports import CityRestrictions, LevelSources, ResponseLevels
from dyrd.supply.types import LevelsSource

__all__ = ["CityRestrictions", "LevelSources", "LevelsSource", "ResponseLevels", "SupplyError"]
