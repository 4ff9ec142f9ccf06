"""HTML dumps: JSON-LD first, then Open Graph and article meta tags, then the
visible text read like a text dump."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from lxml import etree

from feeds.dates import parse_iso
from feeds.parse.image import lead_image
from feeds.parse.page import Facts, person_name
from feeds.parse.text import parse_text
from feeds.text import clean

ARTICLE_TYPES = frozenset({"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle",
                           "BlogPosting", "OpinionNewsArticle"})
BLOCK_TAGS = frozenset("""
    address article aside blockquote body dd details dialog div dl dt fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary
    table tbody td tfoot th thead tr ul
""".split())  # noqa: SIM905 - a word list reads better than 40 quoted names
HIDDEN_TAGS = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe",
                         "select", "textarea", "object", "title", "meta", "link"})
# Separators before a site name in a <title>: `... - RMOL`, `... | Kompas.com`.
_DECORATION = re.compile(r"^(?P<title>.+?)\s+(?:[-|\u2013\u2014:]|::)\s+(?P<site>[^|]{1,40})$")
LXML_MAX_DEPTH = 250
# Evaluated in C: is there an element LXML_MAX_DEPTH levels down from the root?
_AN_ELEMENT_TOO_DEEP = etree.XPath("boolean(" + "/*" * LXML_MAX_DEPTH + ")")
_HTML_PARSER = etree.HTMLParser()
_XML_DECLARATION = re.compile(r"\s*<\?xml[^>]*\?>")
_SHOUTED_SITE = re.compile(r"^[A-Z0-9][A-Z0-9.]{1,14}$")
_DOMAIN = re.compile(r"^\S+\.[a-z]{2,}$", re.IGNORECASE)


def parse_html(markup: str, default_zone: str) -> Facts:
    """The facts an HTML page states, the most reliable source first, read from
    the tree lxml builds. A page nested deeper than lxml's parser goes (libxml2
    stops at 256 levels and drops the rest) is parsed by BeautifulSoup instead,
    and its tree handed over to lxml elements: the same reader reads both."""
    root = _lxml_document(markup)
    if root is not None and _AN_ELEMENT_TOO_DEEP(root):
        from feeds.parse.soup import lxml_tree_from_soup  # rarely needed, slow to import

        root = lxml_tree_from_soup(markup)
    page = _LxmlPage(root)
    meta = page.meta()
    ld_objects = list(_ld_objects(page.json_ld_texts()))
    sites = {name.casefold() for name in (meta.get("og:site_name"), _ld_publisher(ld_objects))
             if name}
    # Clean blocks hold no line breaks: blank lines part them as in a text dump.
    visible = parse_text("\n\n".join(fold_blocks(page.text_events())), default_zone)
    article = _ld_article(ld_objects)
    facts = _from_json_ld(article, default_zone).filled_from(_from_meta(meta, default_zone))
    facts = facts.filled_from(visible)
    title = facts.title or _clean_or_none(page.title())
    if title:
        title = strip_site_name(title, sites, visible.title)
    return Facts(title=title, category=facts.category, published=facts.published,
                 author=facts.author, caption=facts.caption,
                 image=lead_image(page.root, meta, article), blocks=visible.blocks,
                 sidebars=visible.sidebars, warnings=facts.warnings,
                 date_problem=visible.date_problem)


# A text event: a piece of visible text with the block element that owns it and
# the element it sits in, or LINE_BREAK for a <br>.
TextEvent = tuple[str, object, object]
LINE_BREAK: TextEvent = ("\n", None, None)


def fold_blocks(events: Iterable[TextEvent]) -> list[str]:
    """Visible text, one string per block-level element."""
    blocks: list[str] = []
    current: list[str] = []
    current_owner: object = None
    previous_parent: object = None
    for event in events:
        if event is LINE_BREAK:
            current.append(" ")  # a line break inside a block is a space, not a new block
            continue
        text, owner, parent = event
        if owner is not current_owner and current:
            blocks.append(clean("".join(current)))
            current = []
        elif parent is not owner and previous_parent not in (owner, parent):
            # Two inline elements side by side (`<a>headline</a><span>stamp</span>`)
            # are two things a page lays out apart: keep a space between them.
            current.append(" ")
        current_owner, previous_parent = owner, parent
        current.append(text)
    if current:
        blocks.append(clean("".join(current)))
    return [block for block in blocks if block]


class _LxmlPage:
    """A page's lxml tree (None for a page with no elements), asked for its facts."""

    def __init__(self, root: Any) -> None:
        self.root = root

    def meta(self) -> dict[str, str]:
        found: dict[str, str] = {}
        if self.root is None:
            return found
        for tag in self.root.iter("meta"):
            key = tag.get("property") or tag.get("name")
            content = tag.get("content")
            if key is not None and content is not None:
                found.setdefault(key.strip().lower(), content)
        return found

    def json_ld_texts(self) -> list[str]:
        if self.root is None:
            return []
        return [script.text or "" for script in self.root.iter("script")
                if script.get("type") == "application/ld+json"]

    def title(self) -> str | None:
        title = self.root.find(".//title") if self.root is not None else None
        return title.text if title is not None and len(title) == 0 else None

    def text_events(self) -> Iterator[TextEvent]:
        if self.root is None:
            return
        body = self.root.find("body")
        start = body if body is not None else self.root
        # Depth-first, iteratively (a hostile page may nest deeper than the stack):
        # an element's text, then each child followed by the child's tail.
        stack: list[tuple[bool, Any, object, bool, object]] = [(True, start, None, False, None)]
        while stack:
            entering, element, owner, hidden, parent = stack.pop()
            if not entering:
                if element.tail and not hidden:
                    yield element.tail, owner, parent
                continue
            if not isinstance(element.tag, str):  # a comment or processing instruction
                continue
            name = element.tag.lower()
            if name == "br":
                yield LINE_BREAK
            hidden = hidden or name in HIDDEN_TAGS
            inner_owner = element if name in BLOCK_TAGS else owner
            if element.text and not hidden:
                yield element.text, inner_owner, element
            for child in reversed(element):
                stack.append((False, child, inner_owner, hidden, element))
                stack.append((True, child, inner_owner, hidden, element))


def _lxml_document(markup: str) -> Any:
    """The page's tree, or None for a page with no elements. Plain lxml elements,
    not lxml.html's: those look up a Python class for every element touched."""
    try:
        return etree.fromstring(markup, _HTML_PARSER)
    except ValueError:  # a str that declares an encoding: the declaration is moot now
        return _lxml_document(_XML_DECLARATION.sub("", markup, count=1)) if \
            _XML_DECLARATION.match(markup) else None


def strip_site_name(title: str, sites: set[str], visible_title: str | None) -> str:
    """`Judul Berita - RMOL` -> `Judul Berita`; a dash inside a headline stays."""
    title = clean(title)
    if visible_title and title != visible_title and title.startswith(visible_title):
        return visible_title
    match = _DECORATION.match(title)
    if match:
        site = match["site"].strip()
        if site.casefold() in sites or _SHOUTED_SITE.match(site) or _DOMAIN.match(site):
            return match["title"].strip()
    return title


def _from_meta(meta: dict[str, str], default_zone: str) -> Facts:
    published = meta.get("article:published_time") or meta.get("og:article:published_time")
    return Facts(
        title=_clean_or_none(meta.get("og:title") or meta.get("twitter:title")),
        category=_clean_or_none(meta.get("article:section")),
        published=parse_iso(published, default_zone) if published else None,
        author=person_name(_clean_or_none(meta.get("author") or meta.get("article:author"))),
    )


def _ld_article(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The page's JSON-LD article object, if it has one."""
    for item in objects:
        types = item.get("@type")
        if any(isinstance(name, str) and name in ARTICLE_TYPES
               for name in (types if isinstance(types, list) else [types])):
            return item
    return None


def _from_json_ld(article: dict[str, Any] | None, default_zone: str) -> Facts:
    if article is None:
        return Facts()
    section = article.get("articleSection")
    if isinstance(section, list):
        section = next((s for s in section if isinstance(s, str)), None)
    published = article.get("datePublished")
    return Facts(
        title=_clean_or_none(article.get("headline")),
        category=_clean_or_none(section),
        published=parse_iso(published, default_zone) if isinstance(published, str) else None,
        author=person_name(_ld_person(article.get("author"))),
    )


def _ld_objects(texts: list[str]) -> Iterator[dict[str, Any]]:
    """Every JSON object in the page's JSON-LD, `@graph` members included."""
    for text in texts:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    stack.extend(reversed(item["@graph"]))


def _ld_person(author: Any) -> str | None:
    """The first person among JSON-LD authors; an organisation is not a reporter."""
    candidates = author if isinstance(author, list) else [author]
    for candidate in candidates:
        if isinstance(candidate, str):
            return _clean_or_none(candidate)
        if isinstance(candidate, dict) and candidate.get("@type", "Person") == "Person":
            name = candidate.get("name")
            if isinstance(name, str):
                return _clean_or_none(name)
    return None


def _ld_publisher(objects: list[dict[str, Any]]) -> str | None:
    for item in objects:
        publisher = item.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            return str(publisher["name"])
    return None


def _clean_or_none(value: object) -> str | None:
    return (clean(value) or None) if isinstance(value, str) else None
