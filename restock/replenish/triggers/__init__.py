"""Visit triggers: detected from forecasts and sensor health, acted on by reps, dispatched."""
