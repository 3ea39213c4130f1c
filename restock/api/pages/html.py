"""Rendering: a page frame and tables, every value escaped."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;
text-align:left;vertical-align:top}th{background:#f4f4f4}form{display:inline}
.muted{color:#777}nav a{margin-right:1rem}
"""


def page(title: str, body: str, *, nav: bool = True) -> str:
    links = (
        '<nav><a href="/ui/orders">Order queue</a><a href="/ui/triggers">Visit triggers</a>'
        '<a href="/docs">API</a><form method="post" action="/ui/logout">'
        "<button>Sign out</button></form></nav>"
        if nav
        else ""
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)} · restock"
        f"</title><style>{STYLE}</style></head><body>{links}<h1>{escape(title)}</h1>{body}"
        "</body></html>"
    )


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], empty: str) -> str:
    """`rows` cells are HTML already (escape values with `cell`)."""
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    if not body:
        return f"<p class='muted'>{escape(empty)}</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return f"<table><tr>{head}</tr>{body}</table>"


def cell(value: object) -> str:
    return escape("" if value is None else str(value))


def button(action: str, label: str, extra: str = "") -> str:
    return (
        f"<form method='post' action='{escape(action)}'>{extra}"
        f"<button>{escape(label)}</button></form>"
    )
