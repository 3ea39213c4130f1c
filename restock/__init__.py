"""restock: IoT inventory replenishment and order forecasting for route sales."""

__version__ = "0.1.0"
