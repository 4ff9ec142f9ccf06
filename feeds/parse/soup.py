"""Pages lxml's parser cannot hold (nested deeper than libxml2 goes), parsed by
BeautifulSoup and handed over as a tree of lxml elements, which the one HTML
reader (`feeds.parse.html`) reads like any other page. lxml's own
`soupparser.convert_tree` does this recursively and fails on the very pages
that need it."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.element import (
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    PageElement,
    ProcessingInstruction,
    Tag,
)
from lxml import etree

from feeds.text import xml_legal

_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)
MAX_DEPTH = 200  # below the 250 levels at which feeds.parse.html calls a tree too deep


@dataclass(slots=True)
class _Frame:
    """One element of the soup whose children are being read: what is left of
    them, the element their text belongs to until one of them is an element
    (`text_owner`), the element new elements are added to (`parent`: past
    MAX_DEPTH, an ancestor's), and the last element this frame added, whose
    tail takes the text that follows it."""

    children: Iterator[PageElement]
    text_owner: Any
    parent: Any
    last: Any = None


def lxml_tree_from_soup(markup: str) -> Any:
    """The page as BeautifulSoup (with the lxml parser) reads it, as lxml elements.

    Built in document order without recursion. Elements nested deeper than
    MAX_DEPTH are made children of the element at that depth, one after the
    other, each with its own text: every block stays a block, and the tree
    stays shallow enough for lxml (which slows down with every level a new
    element has above it)."""
    with warnings.catch_warnings():  # advice about markup we are given, not news
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(markup, "lxml")
    root = etree.Element("html")
    frames = [_Frame(iter((soup.html or soup).children), root, root)]
    while frames:
        frame = frames[-1]
        child = next(frame.children, None)
        if child is None:
            frames.pop()
        elif isinstance(child, Tag):
            made = frame.last = _element(frame.parent, child)
            frames.append(_Frame(iter(child.children), made,
                                 made if len(frames) < MAX_DEPTH else frame.parent))
        elif isinstance(child, NavigableString) and not isinstance(child, _NOT_TEXT):
            if frame.last is None:
                frame.text_owner.text = (frame.text_owner.text or "") + xml_legal(child)
            else:
                frame.last.tail = (frame.last.tail or "") + xml_legal(child)
    return root


def _element(parent: Any, tag: Tag) -> Any:
    """`tag` as a child element of `parent`, with the attributes lxml accepts."""
    try:
        element = etree.SubElement(parent, tag.name)
    except ValueError:  # a name XML cannot hold (`a:b:c`, `<1>`): its text still counts
        element = etree.SubElement(parent, "span")
    for name, value in tag.attrs.items():
        text = " ".join(value) if isinstance(value, list) else str(value)
        try:
            element.set(name, xml_legal(text))
        except ValueError:
            continue
    return element
