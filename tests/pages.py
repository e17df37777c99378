"""Reading the pages shootout writes with the standard library's HTML parser, as a browser would see them."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from html.parser import HTMLParser

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass
class Page:
    """What the tests look at: images, tables (rows of cell texts), <details>, frames, headings, and the order."""

    images: list[dict[str, str]] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)
    details: list[dict[str, str | None]] = field(default_factory=list)
    frames: list[dict[str, str]] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)  # "h2:Results", "table", "img:<alt>", "details"
    text: str = ""

    def table_after(self, heading: str) -> list[list[str]]:
        """The first table after the heading ``heading``."""
        start = self.order.index(f"h2:{heading}")
        count = sum(1 for item in self.order[:start] if item == "table")
        return self.tables[count]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._cell: list[str] | None = None
        self._heading: list[str] | None = None
        self._texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "img":
            self.page.images.append({k: v or "" for k, v in attributes.items()})
            self.page.order.append(f"img:{attributes.get('alt', '')}")
        elif tag == "table":
            self.page.tables.append([])
            self.page.order.append("table")
        elif tag == "tr":
            self.page.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "details":
            self.page.details.append(attributes)
            self.page.order.append("details")
        elif tag == "iframe":
            self.page.frames.append({k: v or "" for k, v in attributes.items()})
        elif tag in ("h1", "h2", "h3"):
            self._heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.page.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag in ("h1", "h2", "h3") and self._heading is not None:
            text = "".join(self._heading).strip()
            self.page.headings.append(text)
            if tag == "h2":
                self.page.order.append(f"h2:{text}")
            self._heading = None

    def handle_data(self, data: str) -> None:
        self._texts.append(data)
        for part in (self._cell, self._heading):
            if part is not None:
                part.append(data)


def parse(text: str) -> Page:
    reader = _Reader()
    reader.feed(text)
    reader.close()
    reader.page.text = " ".join(" ".join(reader._texts).split())
    return reader.page


def embedded_png(image: dict[str, str]) -> bytes:
    """The PNG bytes of an <img> embedded as a data URL; fails the test for anything else."""
    prefix = "data:image/png;base64,"
    source = image.get("src", "")
    assert source.startswith(prefix), f"not an embedded PNG: {source[:60]!r}"
    try:
        data = base64.b64decode(source[len(prefix) :], validate=True)
    except binascii.Error as exc:
        raise AssertionError(f"the embedded picture is not valid base64: {exc}") from None
    assert data.startswith(PNG_MAGIC), "the embedded bytes are not a PNG"
    return data
