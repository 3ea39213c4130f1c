"""Readings and status changes as the MQTT messages a fleet would send. Pure.

Level messages follow the contract: a JSON object {"ts", "value", "seq", "battery"},
or a JSON array of them from a gateway (an offline backlog, or batching in accelerated
mode). Duplicates are sent twice, malformed readings as the broken payload they stand
for, status changes as retained `online`/`offline` on the status topic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import orjson
import pandas as pd

from restock.simulators.readings import Readings


@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    at: float  # when to publish, epoch seconds (simulated time)
    topic: str
    payload: bytes
    retain: bool = False
    readings: int = 1  # how many readings it carries (for counting)


def level_topic(prefix: str, sensor_id: str) -> str:
    return f"{prefix}/sensors/{sensor_id}/level"


def status_topic(prefix: str, sensor_id: str) -> str:
    return f"{prefix}/sensors/{sensor_id}/status"


def _iso(times: pd.Series) -> list[str]:
    """UTC timestamps as "2026-11-22T09:00:00Z" ("…:00.250Z" with milliseconds)."""
    values = times.array.tz_convert("UTC").tz_localize(None).to_numpy().astype("datetime64[ms]")
    whole = bool((values.astype(np.int64) % 1000 == 0).all())
    text = np.datetime_as_string(values, unit="s" if whole else "ms")
    return [str(x) for x in np.char.add(text, "Z")]


def _documents(rows: Readings) -> list[dict[str, object]]:
    ts = _iso(rows["ts"])
    values = rows["raw"].to_numpy(dtype=np.float64).tolist()
    seqs = rows["seq"].to_numpy(dtype=np.int64).tolist()
    batteries = rows["battery"].to_numpy(dtype=np.float64).tolist()
    return [
        {"ts": t, "value": v, "seq": q, "battery": b}
        for t, v, q, b in zip(ts, values, seqs, batteries, strict=True)
    ]


def _malformed(doc: dict[str, object], kind: str) -> bytes:
    """The broken payload a malformed reading of `kind` is sent as."""
    if kind == "not_json":
        return orjson.dumps(doc)[:-7]  # cut off mid-number: a truncated frame
    if kind == "value_not_number":
        return orjson.dumps({**doc, "value": f"{doc['value']}kg"})
    if kind == "missing_ts":
        return orjson.dumps({k: v for k, v in doc.items() if k != "ts"})
    return orjson.dumps({**doc, "ts": "22/11/2026 09:00"})  # bad_ts


def _epoch(times: pd.Series) -> np.ndarray:
    return np.asarray(times.array.tz_convert("UTC").asi8, dtype=np.float64) / {
        "s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9
    }[times.array.unit]  # fmt: skip


def _arrays(
    docs: list[dict[str, object]], at: np.ndarray, keys: np.ndarray, size: int
) -> list[tuple[float, int, list[dict[str, object]]]]:
    """Split rows (already in send order) into arrays: a new array wherever `keys`
    changes or `size` rows are reached. (due time, first row, rows) for each; an array
    is due when its last row is."""
    if keys.size == 0:
        return []
    change = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [keys.size]])
    out: list[tuple[float, int, list[dict[str, object]]]] = []
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        for k in range(a, b, size):
            stop = min(k + size, b)
            out.append((float(at[k:stop].max()), k, docs[k:stop]))
    return out


def level_messages(readings: Readings, prefix: str, *, batch: int = 1) -> list[Message]:
    """Messages for the sent readings, sorted by publish time.

    With `batch` > 1 a sensor's ordinary readings go out `batch` at a time as a JSON
    array (gateway batching) published when the last of them is due; backlogs always
    go as one array; duplicates, late and malformed readings always as single messages.
    """
    rows = readings[readings["sent"].to_numpy()]
    if rows.empty:
        return []
    docs = _documents(rows)
    at = _epoch(rows["publish_at"])
    topics = [level_topic(prefix, str(s)) for s in rows["sensor_id"].cat.categories]
    sensor = rows["sensor_id"].cat.codes.to_numpy(dtype=np.int64)
    malformed = rows["malformed"].cat.codes.to_numpy() > 0
    kinds = rows["malformed"].astype(str).to_numpy()
    dup = rows["duplicate"].to_numpy()
    backlog = rows["batch"].to_numpy()
    late = at > _epoch(rows["time"]) + 1.0
    in_backlog = ~malformed & (backlog >= 0)
    batched = ~malformed & ~in_backlog & ~dup & ~late & (batch > 1)
    out: list[Message] = []
    for i in np.flatnonzero(~malformed & ~in_backlog & ~batched).tolist():
        payload = orjson.dumps(docs[i])
        out.append(Message(at=float(at[i]), topic=topics[sensor[i]], payload=payload))
        if dup[i]:
            out.append(Message(at=float(at[i]) + 0.5, topic=topics[sensor[i]], payload=payload))
    for i in np.flatnonzero(malformed).tolist():
        payload = _malformed(docs[i], str(kinds[i]))
        out.append(Message(at=float(at[i]), topic=topics[sensor[i]], payload=payload))
    for mask, key, size in (
        (in_backlog, backlog, len(rows)),
        (batched, sensor, max(batch, 1)),
    ):
        idx = np.flatnonzero(mask)
        order = idx[np.lexsort((at[idx], key[idx]))]
        ordered = [docs[i] for i in order.tolist()]
        for due, k, chunk in _arrays(ordered, at[order], key[order], size):
            out.append(
                Message(
                    at=due,
                    topic=topics[sensor[order[k]]],
                    payload=orjson.dumps(chunk),
                    readings=len(chunk),
                )
            )
    out.sort(key=lambda m: m.at)
    return out


def status_messages(statuses: pd.DataFrame, prefix: str) -> list[Message]:
    """Retained `online`/`offline` messages (what a device's LWT and reconnect send)."""
    at = _epoch(statuses["time"]) if len(statuses) else np.zeros(0)
    return [
        Message(
            at=float(a),
            topic=status_topic(prefix, sid),
            payload=status.encode(),
            retain=True,
            readings=0,
        )
        for a, sid, status in zip(
            at, statuses["sensor_id"].astype(str), statuses["status"], strict=True
        )
    ]
