"""Visit triggers as the API lists them: a page at a time, most urgent first, in the
shape of replenishment's `Trigger` (which owns triggers and their changes)."""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from restock.api.queries.rows import Conn, Row, all_rows
from restock.replenish.triggers.queries import TRIGGER_COLUMNS

# replenishment's columns, the JSON detail as text (see list_triggers)
COLUMNS = TRIGGER_COLUMNS.replace(" detail,", " detail::text AS detail,")
# One statement for everyone's triggers and one for a rep's (not `%(rep)s IS NULL OR`),
# so each is prepared with a plan that uses the rep index.
LIST = f"""
SELECT {COLUMNS} FROM visit_triggers
WHERE status = ANY(%(statuses)s)
ORDER BY priority DESC, due_by, id
LIMIT %(limit)s OFFSET %(offset)s
"""
LIST_FOR_REP = f"""
SELECT {COLUMNS} FROM visit_triggers
WHERE rep_id = %(rep)s AND status = ANY(%(statuses)s)
ORDER BY priority DESC, due_by, id
LIMIT %(limit)s OFFSET %(offset)s
"""


async def list_triggers(
    conn: Conn, *, rep: str | None, statuses: Sequence[str], limit: int, offset: int
) -> list[Row]:
    """Triggers in `statuses` (of one rep, or everyone's), most urgent first.

    `detail` is the stored JSON as an orjson.Fragment: serialized as is, never parsed.
    """
    params = {"statuses": list(statuses), "rep": rep, "limit": limit, "offset": offset}
    rows = await all_rows(conn, LIST if rep is None else LIST_FOR_REP, params, binary=True)
    for row in rows:
        row["detail"] = orjson.Fragment(row["detail"])
    return rows
