"""Use cases of the epidemic domain: forecasts, backtest, response levels and scenarios."""
