"""The API's SQL, one module per resource; each statement named and short."""
