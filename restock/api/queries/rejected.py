"""Messages ingest refused, with their reasons."""

from __future__ import annotations

from restock.api.queries.rows import Conn, Row, all_rows

PREVIEW_BYTES = 2048

LIST = """
SELECT id, received_at, topic, substring(payload FROM 1 FOR %(preview)s) AS payload,
       length(payload) AS payload_bytes, reason, detail, sensor_id, replayed_at
FROM rejected_messages
WHERE (%(reason)s::text IS NULL OR reason = %(reason)s)
  AND (%(sensor)s::text IS NULL OR sensor_id = %(sensor)s)
  AND (%(pending)s::boolean IS NULL OR (replayed_at IS NULL) = %(pending)s)
ORDER BY id DESC LIMIT %(limit)s OFFSET %(offset)s
"""
SUMMARY = """
SELECT reason, count(*) FILTER (WHERE replayed_at IS NULL) AS pending, count(*) AS total
FROM rejected_messages GROUP BY reason ORDER BY reason
"""


async def list_rejected(
    conn: Conn,
    *,
    reason: str | None,
    sensor: str | None,
    pending: bool | None,
    limit: int,
    offset: int,
) -> list[Row]:
    """Newest first; payloads are cut to PREVIEW_BYTES and decoded leniently."""
    params = {
        "reason": reason, "sensor": sensor, "pending": pending,
        "limit": limit, "offset": offset, "preview": PREVIEW_BYTES,
    }  # fmt: skip
    rows = await all_rows(conn, LIST, params)
    for row in rows:
        row["payload"] = bytes(row["payload"]).decode("utf-8", errors="replace")
    return rows


async def rejection_summary(conn: Conn) -> list[Row]:
    return await all_rows(conn, SUMMARY)
