"""The `restock` command line: the composition root for batch and service commands."""
