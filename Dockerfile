# restock services image: `restock ingest`, `restock migrate`, and later `restock serve`.
# The pages' browser assets (charts, Swagger UI) come from the npm registry, pinned by
# package-lock.json, and are copied into the package here, at build time.
FROM node:20-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
COPY scripts/vendor-assets ./scripts/
RUN mkdir -p restock/api/pages/static && bash scripts/vendor-assets --omit=dev

FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY restock ./restock
COPY --from=assets /src/restock/api/pages/static/vendor ./restock/api/pages/static/vendor
RUN pip install --no-cache-dir .
USER nobody
ENTRYPOINT ["restock"]
