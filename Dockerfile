# restock services image: `restock ingest`, `restock migrate`, and later `restock serve`.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY restock ./restock
RUN pip install --no-cache-dir .
USER nobody
ENTRYPOINT ["restock"]
