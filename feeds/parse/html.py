"""HTML dumps: JSON-LD first, then Open Graph and article meta tags, then the
visible text read like a text dump."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from feeds.dates import article_time, parse_iso
from feeds.parse.address import found, page_address
from feeds.parse.image import lead_image
from feeds.parse.page import SECTION_LABELS, Facts, person_name
from feeds.parse.text import parse_text
from feeds.text import clean, identity_key, xml_legal

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
_PREFIX = re.compile(r"^(?P<site>[^|:]{1,40}?)\s*(?:[:|]|::|\s[-\u2013\u2014])\s+(?P<title>.+)$")
LXML_MAX_DEPTH = 250
# Evaluated in C: is there an element LXML_MAX_DEPTH levels down from the root?
_AN_ELEMENT_TOO_DEEP = etree.XPath("boolean(" + "/*" * LXML_MAX_DEPTH + ")")
_HTML_PARSER = etree.HTMLParser()
_XML_DECLARATION = re.compile(r"\s*<\?xml[^>]*\?>")
_SHOUTED_SITE = re.compile(r"^[A-Z0-9][A-Z0-9.]{1,14}$")
_DOMAIN = re.compile(r"^\S+\.[a-z]{2,}$", re.IGNORECASE)
_SECTION_SEGMENT = re.compile(r"[a-z][a-z-]{2,30}", re.IGNORECASE)
# First path segments that name no section: article routes and labels.
NOT_SECTIONS = frozenset({"read", "news", "berita", "artikel", "article", "articles", "post",
                          "posts", "detail", "baca", "amp", "m", "id", "en", "index",
                          "content", "story", "view", "www", "category", "kategori", "tag",
                          "tags", "topic", "topik"})
# The endings of Indonesian outlets' host names that name no site (`viva.co.id`).
_DOMAIN_SUFFIXES = frozenset({"com", "id", "co", "net", "org", "or", "go", "ac", "web", "my",
                              "tv", "info", "biz"})
# Written to let libxml2 stop at the first match, and to test attributes where
# a predicate on every element would be evaluated element by element.
_H1 = etree.XPath("string(descendant::h1[1])")
_TITLE = etree.XPath("descendant::title[1]")
_MICRODATA_TIME = etree.XPath("(descendant::*/@itemprop[. = 'datePublished'])[1]/..")
_ARTICLE_TIME = etree.XPath("string((//article//time[@datetime])[1]/@datetime)")
# A breadcrumb's links: schema.org's BreadcrumbList in microdata, or an element
# whose class names it.
_BREADCRUMB = etree.XPath(
    "(//*[@itemtype='https://schema.org/BreadcrumbList' or "
    "@itemtype='http://schema.org/BreadcrumbList' or "
    "contains(concat(' ', translate(@class, 'BREADCUMB', 'breadcumb'), ' '), 'breadcrumb')])[1]"
    "//a")


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
    article = _ld_article(ld_objects)
    address = page_address(root, meta, article)
    sites = _site_names(meta, ld_objects, address)
    ld_facts, meta_facts = _from_json_ld(article, sites), _from_meta(meta, sites)
    # The headline as printed, the reference for the title and the anchor of the
    # date line: the <h1>, else the title the metadata or the <title> states.
    stated_title = ld_facts.title or meta_facts.title
    printed_title = page.headline()
    page_title = _clean_or_none(page.title())
    headline = printed_title or stated_title or (
        strip_site_name(page_title, sites, None) if page_title else None)
    facts = ld_facts.filled_from(meta_facts)
    if facts.category is None:  # the breadcrumb is searched for only when needed
        facts = facts.filled_from(Facts(category=page.breadcrumb_section(ld_objects, headline)
                                        or url_section(address)))
    stated_time = _stated_time(page, meta, article, default_zone)
    image = lead_image(root, meta, article, address)
    # Last: reading the visible text takes the hidden elements out of the tree.
    visible = parse_text(visible_text(root), default_zone, headline)
    facts = facts.filled_from(visible)
    title = stated_title or printed_title or page_title or visible.title
    if title:
        title = strip_site_name(title, sites, printed_title or meta_facts.title)
    return Facts(title=title, category=facts.category,
                 published=article_time(stated_time, visible.printed), author=facts.author,
                 caption=facts.caption, image=image, blocks=visible.blocks,
                 sidebars=visible.sidebars, warnings=facts.warnings,
                 date_problem=visible.date_problem)


def visible_text(root: Any) -> str:
    """What a browser shows of the page's body, one block-level element a block,
    blocks apart by a blank line as in a text dump; a line break inside a block is
    a space. Two inline elements side by side (`<a>headline</a><span>stamp</span>`)
    are two things a page lays out apart: a space stays between them.

    Read in C: the hidden elements are stripped from the tree (which is changed:
    read it for anything else first), and its serialisation is cut by regexes.
    Serialised as XML, text escapes only `&`, `<`, `>` and a carriage return,
    so a tag is exactly what stands between `<` and `>`."""
    if root is None:
        return ""
    body = root.find("body")
    start = body if body is not None else root
    etree.strip_elements(start, *_HIDDEN, with_tail=False)
    markup = etree.tostring(start, encoding="unicode", with_tail=False)
    if _ILLEGAL_REFERENCE in markup:  # rare: the page holds controls XML cannot
        _make_xml_legal(start)
        markup = etree.tostring(start, encoding="unicode", with_tail=False)
    markup = _BLOCK_TAG.sub("\n\n", markup.replace("\n", " ").replace("&#13;", " "))
    markup = _TAG.sub("", _INLINE_NEIGHBOURS.sub(" ", _LINE_BREAK.sub(" ", markup)))
    if "&" in markup:
        markup = markup.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return markup


def _make_xml_legal(start: Any) -> None:
    """The texts of a tree cleaned of what XML cannot hold, as `xml_legal` cleans
    text: lxml serialises such a character as U+FFFD, whatever it was."""
    for element in start.iter():
        if element.text:
            element.text = xml_legal(element.text)
        if element.tail:
            element.tail = xml_legal(element.tail)


def _alternatives(words: Iterable[str]) -> str:
    """A regex matching exactly `words`, as a trie: the regex engine tries
    alternatives one by one, and a trie rules most out at their first letter."""
    branches: dict[str, list[str]] = {}
    for word in words:
        branches.setdefault(word[:1], []).append(word[1:])
    parts = []
    for first, rests in sorted(branches.items()):
        if not first:
            continue
        longer = [rest for rest in rests if rest]
        inner = _alternatives(longer) if longer else ""
        if inner and "" in rests:
            inner = f"(?:{inner})?"
        parts.append(re.escape(first) + inner)
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


_HIDDEN = (*sorted(HIDDEN_TAGS), etree.Comment, etree.ProcessingInstruction)
_ILLEGAL_REFERENCE = "&#xFFFD;"
_BLOCK_TAG = re.compile(rf"</?{_alternatives(BLOCK_TAGS)}(?=[\s/>])[^>]*>")
_LINE_BREAK = re.compile(r"<br(?=[\s/>])[^>]*>")
_INLINE_NEIGHBOURS = re.compile(r"</[^>]+>(?=<[^/])")
_TAG = re.compile(r"<[^>]*>")


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

    def headline(self) -> str | None:
        """The page's first `<h1>`, the headline as the page prints it."""
        return _clean_or_none(str(_H1(self.root))) if self.root is not None else None

    def microdata_time(self) -> str | None:
        """microdata's `itemprop=datePublished`: its content, datetime or text."""
        if self.root is None:
            return None
        element = next(iter(found(_MICRODATA_TIME, self.root)), None)
        if element is None:
            return None
        return str(element.get("content") or element.get("datetime") or element.text or "")

    def article_time_element(self) -> str | None:
        """The `datetime` of the first `<time>` inside the `<article>`."""
        return str(_ARTICLE_TIME(self.root)) or None if self.root is not None else None

    def breadcrumb_section(self, ld_objects: list[dict[str, Any]], headline: str | None
                           ) -> str | None:
        """The first crumb after the home page's (JSON-LD `BreadcrumbList`, else the
        page's breadcrumb links); the last is the article itself when it is the
        headline."""
        crumbs = _ld_crumbs(ld_objects) or ([_clean_or_none("".join(a.itertext())) or ""
                                             for a in found(_BREADCRUMB, self.root)]
                                            if self.root is not None else [])
        if crumbs and headline and identity_key(crumbs[-1]) == identity_key(headline):
            crumbs = crumbs[:-1]
        return next((crumb for crumb in crumbs
                     if crumb and crumb.casefold() not in SECTION_LABELS), None)

    def title(self) -> str | None:
        titles = found(_TITLE, self.root) if self.root is not None else []
        return titles[0].text if titles and len(titles[0]) == 0 else None


def _lxml_document(markup: str) -> Any:
    """The page's tree, or None for a page with no elements. Plain lxml elements,
    not lxml.html's: those look up a Python class for every element touched."""
    try:
        return etree.fromstring(markup, _HTML_PARSER)
    except ValueError:  # a str that declares an encoding: the declaration is moot now
        return _lxml_document(_XML_DECLARATION.sub("", markup, count=1)) if \
            _XML_DECLARATION.match(markup) else None


def strip_site_name(title: str, sites: set[str], headline: str | None) -> str:
    """A title without the site's name at either end (`Judul Berita - RMOL`,
    `KapanLagi.com: Judul`), and nothing else: a dash or colon inside a headline
    (`In Picture: ...`) stays. `headline` (the page's `<h1>` or `og:title`) is the
    reference: a title that is the headline with something around it is the
    headline."""
    title = clean(title)
    if headline and title != headline and headline in title and (
            title.startswith(headline) or title.endswith(headline)):
        return headline
    for pattern in (_DECORATION, _PREFIX):
        match = pattern.match(title)
        if match and _is_site(match["site"].strip(), sites):
            return match["title"].strip()
    return title


def _is_site(name: str, sites: set[str]) -> bool:
    return name.casefold() in sites or bool(_SHOUTED_SITE.match(name) or _DOMAIN.match(name))


def _from_meta(meta: dict[str, str], sites: set[str]) -> Facts:
    authors = (_clean_or_none(meta.get(key)) for key in ("author", "article:author"))
    return Facts(
        title=_clean_or_none(meta.get("og:title") or meta.get("twitter:title")),
        category=_clean_or_none(meta.get("article:section")),
        author=next(filter(None, (person_name(name, sites) for name in authors)), None),
    )


# Where pages state their time, the most specific first after JSON-LD.
_META_TIMES = ("article:published_time", "og:article:published_time", "publishdate",
               "pubdate", "datepublished", "dc.date.issued", "date")


def _stated_time(page: _LxmlPage, meta: dict[str, str], article: dict[str, Any] | None,
                 default_zone: str) -> datetime | None:
    """The first time the page's metadata states: JSON-LD `datePublished`,
    microdata `itemprop=datePublished`, `article:published_time` (and its
    variants), then a `<time datetime>` inside the article."""
    ld_time = article.get("datePublished") if article is not None else None

    def candidates() -> Iterator[str | None]:  # the tree is searched only as far as needed
        yield ld_time if isinstance(ld_time, str) else None
        yield page.microdata_time()
        yield from (meta.get(key) for key in _META_TIMES)
        yield page.article_time_element()

    return next(filter(None, (parse_iso(value, default_zone)
                              for value in candidates() if value)), None)


def _ld_article(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The page's JSON-LD article object, if it has one."""
    for item in objects:
        types = item.get("@type")
        if any(isinstance(name, str) and name in ARTICLE_TYPES
               for name in (types if isinstance(types, list) else [types])):
            return item
    return None


def _from_json_ld(article: dict[str, Any] | None, sites: set[str]) -> Facts:
    if article is None:
        return Facts()
    section = article.get("articleSection")
    if isinstance(section, list):
        section = next((s for s in section if isinstance(s, str)), None)
    return Facts(
        title=_clean_or_none(article.get("headline")),
        category=_clean_or_none(section),
        author=next(filter(None, (person_name(name, sites)
                                  for name in _ld_people(article.get("author")))), None),
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


def _ld_people(author: Any) -> Iterator[str]:
    """The names of the people among JSON-LD authors; an organisation is not a reporter."""
    for candidate in author if isinstance(author, list) else [author]:
        if isinstance(candidate, str):
            name = _clean_or_none(candidate)
        elif isinstance(candidate, dict) and candidate.get("@type", "Person") == "Person":
            name = _clean_or_none(candidate.get("name"))
        else:
            name = None
        if name:
            yield name


def _ld_crumbs(objects: list[dict[str, Any]]) -> list[str]:
    """The names of a JSON-LD `BreadcrumbList`, in order of position."""
    for item in objects:
        if item.get("@type") == "BreadcrumbList" and isinstance(item.get("itemListElement"),
                                                                list):
            crumbs = [crumb for crumb in item["itemListElement"] if isinstance(crumb, dict)]
            crumbs.sort(key=_position)
            return [name for name in map(_crumb_name, crumbs) if name]
    return []


def _position(crumb: dict[str, Any]) -> int:
    position = crumb.get("position")
    return position if isinstance(position, int) else 0


def _crumb_name(crumb: dict[str, Any]) -> str | None:
    inner = crumb.get("item")
    name = crumb.get("name") or (inner.get("name") if isinstance(inner, dict) else None)
    return _clean_or_none(name)


def _site_names(meta: dict[str, str], ld_objects: list[dict[str, Any]],
                address: str | None) -> set[str]:
    """What the site calls itself (casefolded): `og:site_name`, the publisher's
    name, `application-name`, and its host's names (`news.okezone.com`,
    `okezone.com`, `okezone`)."""
    names = {name.casefold() for name in (meta.get("og:site_name"), _ld_publisher(ld_objects),
                                          meta.get("application-name")) if name}
    host = (urlsplit(address).hostname or "") if address else ""
    labels = host.split(".") if host else []
    suffix = 0
    while len(labels) - suffix > 1 and labels[-1 - suffix] in _DOMAIN_SUFFIXES:
        suffix += 1
    if labels:
        name = labels[-1 - suffix]
        names |= {host, host.removeprefix("www."), name, ".".join(labels[-1 - suffix:])}
    return names


def url_section(address: str | None) -> str | None:
    """The section a page's address names by its first path segment
    (`https://x.id/politik/2015/...` -> `Politik`), when that is a word."""
    if not address:
        return None
    first = urlsplit(address).path.strip("/").split("/")[0]
    if not _SECTION_SEGMENT.fullmatch(first) or first.casefold() in NOT_SECTIONS:
        return None
    return first.replace("-", " ").title()


def _ld_publisher(objects: list[dict[str, Any]]) -> str | None:
    for item in objects:
        publisher = item.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            return str(publisher["name"])
    return None


def _clean_or_none(value: object) -> str | None:
    return (clean(value) or None) if isinstance(value, str) else None
