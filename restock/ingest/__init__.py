"""MQTT ingestion: sensors' stock levels into PostgreSQL, nothing lost, nothing dropped silently."""
