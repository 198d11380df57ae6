"""Digital YRD: a regional digital-governance platform for the Yangtze River Delta."""

__version__ = "0.1.0"
