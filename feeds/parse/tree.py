"""What an HTML page's tree offers: its metadata, headings, breadcrumb, lead image
and visible text, each read once. Which of them wins for each fact is decided in
`feeds.parse.html`."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from feeds.parse.address import found, page_address
from feeds.parse.image import lead_image
from feeds.parse.page import Facts, PageTooDeep
from feeds.parse.text import parse_text
from feeds.text import clean, xml_legal

ARTICLE_TYPES = frozenset({"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle",
                           "BlogPosting", "OpinionNewsArticle"})
BLOCK_TAGS = frozenset("""
    address article aside blockquote body dd details dialog div dl dt fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary
    table tbody td tfoot th thead tr ul
""".split())  # noqa: SIM905 - a word list reads better than 40 quoted names
HIDDEN_TAGS = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe",
                         "select", "textarea", "object", "title", "meta", "link"})
LXML_MAX_DEPTH = 250
# The largest page nested deeper than that which is handed to BeautifulSoup.
SOUP_MAX_CHARS = 200_000
# Evaluated in C: is there an element LXML_MAX_DEPTH levels down from the root?
_AN_ELEMENT_TOO_DEEP = etree.XPath("boolean(" + "/*" * LXML_MAX_DEPTH + ")")
_HTML_PARSER = etree.HTMLParser()
_XML_DECLARATION = re.compile(r"\s*<\?xml[^>]*\?>")
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
# Microdata's times, in one search of the attributes.
_MICRODATA_TIMES = etree.XPath("descendant::*/@itemprop[. = 'datePublished' or "
                               ". = 'dateModified']/..")
# The first figure's caption, not one in the page's own header.
_FIGCAPTION = etree.XPath("(descendant::figcaption[not(ancestor::header[not(ancestor::article)])])"
                          "[1]")
_ARTICLE_TIME = etree.XPath("string((//article//time[@datetime])[1]/@datetime)")
# A breadcrumb's links: schema.org's BreadcrumbList in microdata, or an element
# whose class names it.
_BREADCRUMB = etree.XPath(
    "(//*[@itemtype='https://schema.org/BreadcrumbList' or "
    "@itemtype='http://schema.org/BreadcrumbList' or "
    "contains(concat(' ', translate(@class, 'BREADCUMB', 'breadcumb'), ' '), 'breadcrumb')])[1]"
    "//a")




class HtmlPage:
    """One saved page, read from the tree lxml builds (None for a page with no
    elements). A page nested deeper than lxml's parser goes (libxml2 stops at 256
    levels and drops the rest) is parsed by BeautifulSoup instead, and its tree
    handed over to lxml elements: the same reader reads both.

    What reading the visible text takes out of the tree (the head, scripts, meta
    elements in the body) is read when the page is made; the breadcrumb and the
    article's `<time>` when first asked. `read_visible` comes last."""

    def __init__(self, markup: str, default_zone: str) -> None:
        root = _lxml_document(markup)
        if root is not None and _AN_ELEMENT_TOO_DEEP(root):
            if len(markup) > SOUP_MAX_CHARS:  # BeautifulSoup slows with the square of the depth
                raise PageTooDeep(f"a page nested deeper than {LXML_MAX_DEPTH} levels is read "
                                 f"only up to {SOUP_MAX_CHARS:,} characters; this one has "
                                 f"{len(markup):,}")
            from feeds.parse.soup import lxml_tree_from_soup  # rarely needed, slow to import

            root = lxml_tree_from_soup(markup)
        self.root = root
        self.default_zone = default_zone
        self.meta = _meta(root)
        self.ld_objects = list(_ld_objects(_json_ld_texts(root)))
        # The page's JSON-LD article object, if it has one.
        self.article = _ld_article(self.ld_objects)
        self.address = page_address(root, self.meta, self.article)
        self.sites = _site_names(self.meta, self.ld_objects, self.address)
        self.h1 = clean_or_none(str(_H1(root))) if root is not None else None
        self.title = clean_or_none(_title_text(root))
        self.microdata = _microdata_times(root)
        self.image = lead_image(root, self.meta, self.article, self.address)
        self.visible = Facts()

    @functools.cached_property
    def crumbs(self) -> list[str]:
        """The breadcrumb's names: JSON-LD `BreadcrumbList`, else the page's
        breadcrumb links."""
        return _ld_crumbs(self.ld_objects) or (
            [clean_or_none("".join(a.itertext())) or "" for a in found(_BREADCRUMB, self.root)]
            if self.root is not None else [])

    @functools.cached_property
    def article_time_element(self) -> str | None:
        """The `datetime` of the first `<time>` inside the `<article>`."""
        return str(_ARTICLE_TIME(self.root)) or None if self.root is not None else None

    @functools.cached_property
    def figure_caption(self) -> str | None:
        """The text of the page's first `<figcaption>` (not one in the page's header)."""
        captions = found(_FIGCAPTION, self.root) if self.root is not None else []
        return clean_or_none("".join(captions[0].itertext())) if captions else None

    def read_visible(self, headlines: Sequence[str]) -> Facts:
        """The facts the page's visible text states, its date line the stamp
        nearest the first of `headlines` it prints (`feeds.parse.page.read_article`).
        Takes the hidden elements out of the tree."""
        self.visible = parse_text(visible_text(self.root), self.default_zone, headlines)
        return self.visible


def _meta(root: Any) -> dict[str, str]:
    """The page's meta elements, by property or name (lowercase); the first wins."""
    meta: dict[str, str] = {}
    if root is None:
        return meta
    for tag in root.iter("meta"):
        key = tag.get("property") or tag.get("name")
        content = tag.get("content")
        if key is not None and content is not None:
            meta.setdefault(key.strip().lower(), content)
    return meta


def _json_ld_texts(root: Any) -> list[str]:
    if root is None:
        return []
    return [script.text or "" for script in root.iter("script")
            if script.get("type") == "application/ld+json"]


def _title_text(root: Any) -> str | None:
    titles = found(_TITLE, root) if root is not None else []
    return titles[0].text if titles and len(titles[0]) == 0 else None


def _microdata_times(root: Any) -> dict[str, str]:
    """microdata's `datePublished` and `dateModified`: their content, datetime or
    text; the first of each wins."""
    times: dict[str, str] = {}
    for element in found(_MICRODATA_TIMES, root) if root is not None else []:
        value = element.get("content") or element.get("datetime") or element.text or ""
        times.setdefault(str(element.get("itemprop")), str(value))
    return times


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
    if "<br" in markup:  # a page that breaks no line is spared both searches
        markup = _LINE_BREAK.sub(" ", _PARAGRAPH_BREAK.sub("\n\n", markup))
    markup = _TAG.sub("", _INLINE_NEIGHBOURS.sub(" ", markup))
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
# Two line breaks in a row: the paragraphs of a page that writes no <p>.
_PARAGRAPH_BREAK = re.compile(r"<br(?=[\s/>])[^>]*>(?:\s|&#160;)*<br(?=[\s/>])[^>]*>")
_INLINE_NEIGHBOURS = re.compile(r"</[^>]+>(?=<[^/])")
_TAG = re.compile(r"<[^>]*>")


def _lxml_document(markup: str) -> Any:
    """The page's tree, or None for a page with no elements. Plain lxml elements,
    not lxml.html's: those look up a Python class for every element touched."""
    try:
        return etree.fromstring(markup, _HTML_PARSER)
    except ValueError:  # a str that declares an encoding: the declaration is moot now
        return _lxml_document(_XML_DECLARATION.sub("", markup, count=1)) if \
            _XML_DECLARATION.match(markup) else None


def _ld_article(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The page's JSON-LD article object, if it has one."""
    for item in objects:
        types = item.get("@type")
        if any(isinstance(name, str) and name in ARTICLE_TYPES
               for name in (types if isinstance(types, list) else [types])):
            return item
    return None


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


def ld_people(author: Any) -> Iterator[str]:
    """The names of the people among JSON-LD authors; an organisation is not a reporter."""
    for candidate in author if isinstance(author, list) else [author]:
        if isinstance(candidate, str):
            name = clean_or_none(candidate)
        elif isinstance(candidate, dict) and candidate.get("@type", "Person") == "Person":
            name = clean_or_none(candidate.get("name"))
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
    return clean_or_none(name)


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


def clean_or_none(value: object) -> str | None:
    return (clean(value) or None) if isinstance(value, str) else None
