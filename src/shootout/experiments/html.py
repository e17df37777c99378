"""The pieces of the self-contained HTML pages (a run's report, a comparison): style, escaping, embedded pictures.

Every picture is embedded as a base64 PNG, so a page can be mailed or archived alone; nothing is fetched
from anywhere when it is opened.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; }
th { text-align: center; background: #f6f8fa; }
td { text-align: right; white-space: nowrap; }
td:first-child, td.text { text-align: left; } td.text { white-space: normal; }
.met { color: #1a7f37; font-weight: bold; } .missed { color: #cf222e; font-weight: bold; }
.best { font-weight: bold; background: #e6f4ea; }
.lead { font-size: 1.1em; color: #444; }
figure { margin: 1em 0; }
figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.9em; color: #555; max-width: 900px; }
details { border: 1px solid #ddd; border-radius: 4px; margin: 0.6em 0; padding: 0.3em 0.8em; }
details > summary { cursor: pointer; font-size: 1.1em; padding: 0.2em 0; }
details[open] > summary { border-bottom: 1px solid #eee; margin-bottom: 0.5em; }
pre { background: #f6f8fa; padding: 0.6em; overflow-x: auto; font-size: 0.8em; }
"""


def escape(value: Any) -> str:
    """``value`` as text safe inside HTML (and inside a quoted attribute)."""
    return html.escape(str(value))


def number(value: Any, digits: int = 4) -> str:
    """A float with ``digits`` decimals, an empty cell for None, anything else as escaped text."""
    if value is None:
        return ""
    return f"{value:.{digits}f}" if isinstance(value, float) else escape(value)


def png_figure(data: bytes, caption: str) -> str:
    """A figure holding the PNG ``data`` embedded as base64, with its caption."""
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'<figure><img alt="{escape(caption)}" src="data:image/png;base64,{encoded}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def file_figure(folder: Path, relative: str, caption: str) -> str:
    """The picture ``folder/relative`` embedded with its caption (a line saying it is missing, if it is)."""
    path = Path(folder) / relative
    if not path.is_file():
        return f"<p>missing picture: {escape(relative)}</p>"
    return png_figure(path.read_bytes(), caption)


def table(head: Sequence[str], rows: Iterable[Sequence[str]], head_html: str | None = None) -> str:
    """A table of cells already in HTML (a cell may be ``(html, css_class)``); ``head`` is escaped. Numbers stay
    on one line; a wide table scrolls sideways rather than squeezing them.

    head_html : header rows given as HTML instead of ``head`` (for headers spanning columns).
    """
    if head_html is None and head:
        head_html = "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>"
    header = f"<thead>{head_html}</thead>" if head_html else ""
    body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in rows)
    return f"<div class='scroll'><table>{header}<tbody>{body}</tbody></table></div>"


def _cell(cell: str | tuple[str, str]) -> str:
    if isinstance(cell, tuple):
        content, css = cell
        return f'<td class="{css}">{content}</td>' if css else f"<td>{content}</td>"
    return f"<td>{cell}</td>"


def page(title: str, body: Iterable[str]) -> str:
    """A whole HTML document: ``body`` (HTML parts) under a head with ``title`` and the shared style."""
    return "\n".join(
        [
            f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>",
            f"<style>{STYLE}</style></head><body>",
            *body,
            "</body></html>",
        ]
    )


def inline_frame(document: str, height: int = 800) -> str:
    """A whole HTML document shown inside another page (a notebook cell): its own frame, so its style stays in it."""
    return (
        f'<iframe srcdoc="{escape(document)}" style="width: 100%; height: {height}px; border: 1px solid #ddd;">'
        "</iframe>"
    )
