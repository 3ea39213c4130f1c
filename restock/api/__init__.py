"""restock's HTTP API: FastAPI app, routers per resource, bearer-token auth."""
