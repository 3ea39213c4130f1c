"""Simulated stock points and sensors that behave like the field, with ground truth.

Pure, seeded world (`world.py`, `sensors.py`, `faults.py`); adapters for the database
(`loader.py`, `deliveries_db.py`) and the broker (`publisher.py`); exports (`export.py`).
"""
