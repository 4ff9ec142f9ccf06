"""HTML dumps: JSON-LD first, then Open Graph and article meta tags, then the
visible text read like a text dump."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from bs4 import BeautifulSoup
from bs4.element import (
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
    Tag,
)

from feeds.dates import parse_iso
from feeds.parse.page import Facts, person_name, read_blocks
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
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)
# Separators before a site name in a <title>: `... - RMOL`, `... | Kompas.com`.
_DECORATION = re.compile(r"^(?P<title>.+?)\s+(?:[-|\u2013\u2014:]|::)\s+(?P<site>[^|]{1,40})$")
_SHOUTED_SITE = re.compile(r"^[A-Z0-9][A-Z0-9.]{1,14}$")
_DOMAIN = re.compile(r"^\S+\.[a-z]{2,}$", re.IGNORECASE)


def parse_html(markup: str, default_zone: str) -> Facts:
    """The facts an HTML page states, the most reliable source first."""
    soup = BeautifulSoup(markup, "lxml")
    meta = _meta(soup)
    sites = {name.casefold() for name in (meta.get("og:site_name"), _ld_publisher(soup)) if name}
    visible = read_blocks(visible_blocks(soup), default_zone)
    facts = _from_json_ld(soup, default_zone).filled_from(_from_meta(meta, default_zone))
    facts = facts.filled_from(visible)
    title = facts.title or _title_tag(soup)
    if title:
        title = strip_site_name(title, sites, visible.title)
    return Facts(title=title, category=facts.category, published=facts.published,
                 author=facts.author, caption=facts.caption, blocks=visible.blocks,
                 populer=visible.populer, update=visible.update, warnings=facts.warnings)


def visible_blocks(soup: BeautifulSoup) -> list[str]:
    """The page's visible text, one string per block-level element."""
    root = soup.body or soup
    blocks: list[str] = []
    current: list[str] = []
    current_owner: Tag | None = None
    previous_parent: Tag | None = None
    for node in root.descendants:
        if isinstance(node, Tag) and node.name == "br":
            current.append(" ")  # a line break inside a block is a space, not a new block
            continue
        if not isinstance(node, NavigableString) or isinstance(node, _NOT_TEXT):
            continue
        owner = _block_owner(node)
        if owner is None:
            continue  # inside a hidden element
        if owner is not current_owner and current:
            blocks.append(clean("".join(current)))
            current = []
        elif node.parent is not owner and previous_parent not in (owner, node.parent):
            # Two inline elements side by side (`<a>headline</a><span>stamp</span>`)
            # are two things a page lays out apart: keep a space between them.
            current.append(" ")
        current_owner, previous_parent = owner, node.parent
        current.append(str(node))
    if current:
        blocks.append(clean("".join(current)))
    return [block for block in blocks if block]


def _block_owner(node: NavigableString) -> Tag | None:
    """The nearest block element holding `node`; None when a hidden one holds it."""
    owner: Tag | None = None
    for parent in node.parents:
        if parent.name in HIDDEN_TAGS:
            return None
        if owner is None and parent.name in BLOCK_TAGS:
            owner = parent
    return owner


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


def _meta(soup: BeautifulSoup) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = tag.get("property") or tag.get("name")
        content = tag.get("content")
        if isinstance(key, str) and isinstance(content, str):
            found.setdefault(key.strip().lower(), content)
    return found


def _from_meta(meta: dict[str, str], default_zone: str) -> Facts:
    published = meta.get("article:published_time") or meta.get("og:article:published_time")
    return Facts(
        title=_clean_or_none(meta.get("og:title") or meta.get("twitter:title")),
        category=_clean_or_none(meta.get("article:section")),
        published=parse_iso(published, default_zone) if published else None,
        author=person_name(_clean_or_none(meta.get("author") or meta.get("article:author"))),
    )


def _from_json_ld(soup: BeautifulSoup, default_zone: str) -> Facts:
    for article in _ld_objects(soup):
        types = article.get("@type")
        types = set(types) if isinstance(types, list) else {types}
        if not types & ARTICLE_TYPES:
            continue
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
    return Facts()


def _ld_objects(soup: BeautifulSoup) -> Iterator[dict[str, Any]]:
    """Every JSON object in the page's JSON-LD, `@graph` members included."""
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
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


def _ld_publisher(soup: BeautifulSoup) -> str | None:
    for item in _ld_objects(soup):
        publisher = item.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            return str(publisher["name"])
    return None


def _title_tag(soup: BeautifulSoup) -> str | None:
    return _clean_or_none(soup.title.string) if soup.title and soup.title.string else None


def _clean_or_none(value: object) -> str | None:
    return (clean(value) or None) if isinstance(value, str) else None
