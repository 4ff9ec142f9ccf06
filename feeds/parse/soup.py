"""An HTML page as BeautifulSoup builds it: the plain path, for the pages lxml's
tree cannot hold (deeper than it goes) and for checking the fast path against."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.element import (
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
    Tag,
)

from feeds.parse.html import BLOCK_TAGS, HIDDEN_TAGS, LINE_BREAK, TextEvent

_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)


class SoupPage:
    """The page as BeautifulSoup (with the lxml parser) builds it."""

    def __init__(self, markup: str) -> None:
        with warnings.catch_warnings():  # advice about markup we are given, not news
            warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
            warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
            self.soup = BeautifulSoup(markup, "lxml")

    def meta(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for tag in self.soup.find_all("meta"):
            key = tag.get("property") or tag.get("name")
            content = tag.get("content")
            if isinstance(key, str) and isinstance(content, str):
                found.setdefault(key.strip().lower(), content)
        return found

    def json_ld_texts(self) -> list[str]:
        return [script.string or "" for script in
                self.soup.find_all("script", type="application/ld+json")]

    def title(self) -> str | None:
        return self.soup.title.string if self.soup.title and self.soup.title.string else None

    def text_events(self) -> Iterator[TextEvent]:
        root = self.soup.body or self.soup
        for node in root.descendants:
            if isinstance(node, Tag) and node.name == "br":
                yield LINE_BREAK
            elif isinstance(node, NavigableString) and not isinstance(node, _NOT_TEXT):
                owner = _block_owner(node)
                if owner is not None:  # None: inside a hidden element
                    yield str(node), owner, node.parent


def _block_owner(node: NavigableString) -> Tag | None:
    """The nearest block element holding `node`; None when a hidden one holds it."""
    owner: Tag | None = None
    for parent in node.parents:
        if parent.name in HIDDEN_TAGS:
            return None
        if owner is None and parent.name in BLOCK_TAGS:
            owner = parent
    return owner
