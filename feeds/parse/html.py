"""HTML dumps: which source wins for each fact, one ordered list per field.

Each source is a small function of the page (`feeds.parse.tree.HtmlPage`) that
returns a value or None; the first value in a field's list wins. The table in
docs/design.md ("Which source wins") states the same lists. One rule crosses
them: a title candidate that is only the site's name (`<title>RMOL</title>`) or
a section's label (`Regional`) is passed over while a later source offers a
headline.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import TypeVar

from feeds.dates import Stamp, StatedTime, article_time, parse_iso
from feeds.parse.page import (
    SECTION_LABELS,
    Facts,
    could_be_label,
    credits_photo,
    person_name,
)
from feeds.parse.tree import HtmlPage, clean_or_none, ld_people, url_section
from feeds.text import clean, identity_key

T = TypeVar("T")
Source = Callable[[HtmlPage], T | None]

# Separators before a site name in a <title>: `... - RMOL`, `... | Kompas.com`.
_DECORATION = re.compile(r"^(?P<title>.+?)\s+(?:[-|\u2013\u2014:]|::)\s+(?P<site>[^|]{1,40})$")
_PREFIX = re.compile(r"^(?P<site>[^|:]{1,40}?)\s*(?:[:|]|::|\s[-\u2013\u2014])\s+(?P<title>.+)$")
# A name that can only be a site's: one word in capitals (`RMOL`), or a domain.
_SHOUTED_SITE = re.compile(r"^[A-Z0-9][A-Z0-9.]{1,14}$")
_DOMAIN = re.compile(r"^\S+\.[a-z]{2,}$", re.IGNORECASE)


# Title ------------------------------------------------------------------------------

def ld_headline(page: HtmlPage) -> str | None:
    return clean_or_none(page.article.get("headline")) if page.article else None


def meta_title(page: HtmlPage) -> str | None:
    return clean_or_none(page.meta.get("og:title") or page.meta.get("twitter:title"))


def first_h1(page: HtmlPage) -> str | None:
    return page.h1


def page_title(page: HtmlPage) -> str | None:
    return strip_site_name(page.title, page.sites, None) if page.title else None


def visible_title(page: HtmlPage) -> str | None:
    """The block the page prints above its date line."""
    return page.visible.title


TITLE_SOURCES: tuple[Source[str], ...] = (ld_headline, meta_title, first_h1, page_title,
                                          visible_title)
# Where the page may print its headline, to find the date line beside it: the
# <h1> first, since it is the headline as printed.
HEADLINE_SOURCES: tuple[Source[str], ...] = (first_h1, ld_headline, meta_title, page_title)


# Category ---------------------------------------------------------------------------

def ld_section(page: HtmlPage) -> str | None:
    section = page.article.get("articleSection") if page.article else None
    if isinstance(section, list):
        section = next((item for item in section if isinstance(item, str)), None)
    return clean_or_none(section)


def meta_section(page: HtmlPage) -> str | None:
    return clean_or_none(page.meta.get("article:section"))


def breadcrumb_section(page: HtmlPage) -> str | None:
    """The first crumb after the home page's; the last is the article itself when
    it is the headline."""
    crumbs = page.crumbs
    headline = page.visible.title
    if crumbs and headline and identity_key(crumbs[-1]) == identity_key(headline):
        crumbs = crumbs[:-1]
    return next((crumb for crumb in crumbs if crumb and crumb.casefold() not in SECTION_LABELS),
                None)


def address_section(page: HtmlPage) -> str | None:
    return url_section(page.address)


def visible_label(page: HtmlPage) -> str | None:
    """The label the page prints above its headline."""
    return page.visible.category


CATEGORY_SOURCES: tuple[Source[str], ...] = (ld_section, meta_section, breadcrumb_section,
                                             address_section, visible_label)


# Author -----------------------------------------------------------------------------

def ld_author(page: HtmlPage) -> str | None:
    """The first person among JSON-LD's authors; an organisation is not a reporter."""
    if not page.article:
        return None
    return next(filter(None, (person_name(name, page.sites)
                              for name in ld_people(page.article.get("author")))), None)


def meta_author(page: HtmlPage) -> str | None:
    names = (clean_or_none(page.meta.get(key)) for key in ("author", "article:author"))
    return next(filter(None, (person_name(name, page.sites) for name in names)), None)


def visible_byline(page: HtmlPage) -> str | None:
    """The byline the page's date line states (`LAPORAN: ...`)."""
    return page.visible.author


AUTHOR_SOURCES: tuple[Source[str], ...] = (ld_author, meta_author, visible_byline)


# Caption ----------------------------------------------------------------------------

def figure_caption(page: HtmlPage) -> str | None:
    return page.figure_caption


def visible_caption(page: HtmlPage) -> str | None:
    """The caption printed above the headline, as a text dump prints it; on a
    page of another layout whatever stands there is no caption unless it
    credits a photo."""
    caption = page.visible.caption
    return caption if caption and credits_photo(caption) else None


CAPTION_SOURCES: tuple[Source[str], ...] = (visible_caption, figure_caption)


# Time -------------------------------------------------------------------------------
# A stated time is reconciled with the stamp the page prints (`dates.article_time`);
# without one, the printed stamp is the time.

def ld_published(page: HtmlPage) -> StatedTime | None:
    return _ld_time(page, "datePublished")


def microdata_published(page: HtmlPage) -> StatedTime | None:
    return _iso(page, page.microdata.get("datePublished"))


_META_PUBLISHED = ("article:published_time", "og:article:published_time", "publishdate",
                   "pubdate", "datepublished", "dc.date.issued", "date")


def meta_published(page: HtmlPage) -> StatedTime | None:
    return next(filter(None, (_iso(page, page.meta.get(key)) for key in _META_PUBLISHED)), None)


def article_time_element(page: HtmlPage) -> StatedTime | None:
    """The first `<time datetime>` inside the `<article>`."""
    return _iso(page, page.article_time_element)


PUBLISHED_SOURCES: tuple[Source[StatedTime], ...] = (ld_published, microdata_published,
                                                     meta_published, article_time_element)


def ld_modified(page: HtmlPage) -> StatedTime | None:
    return _ld_time(page, "dateModified")


def microdata_modified(page: HtmlPage) -> StatedTime | None:
    return _iso(page, page.microdata.get("dateModified"))


_META_MODIFIED = ("article:modified_time", "og:updated_time", "datemodified", "last-modified")


def meta_modified(page: HtmlPage) -> StatedTime | None:
    return next(filter(None, (_iso(page, page.meta.get(key)) for key in _META_MODIFIED)), None)


MODIFIED_SOURCES: tuple[Source[StatedTime], ...] = (ld_modified, microdata_modified,
                                                    meta_modified)


def _ld_time(page: HtmlPage, key: str) -> StatedTime | None:
    value = page.article.get(key) if page.article else None
    return _iso(page, value if isinstance(value, str) else None)


def _iso(page: HtmlPage, text: str | None) -> StatedTime | None:
    return parse_iso(text, page.default_zone) if text else None


# The page ---------------------------------------------------------------------------

def parse_html(markup: str, default_zone: str) -> Facts:
    """The facts an HTML page states, each field from the first of its sources
    that has it."""
    page = HtmlPage(markup, default_zone)
    headlines = [candidate for candidate in _values(HEADLINE_SOURCES, page)
                 if not _names_site_or_section(candidate, page)]
    # Last of the tree's reads: reading the visible text takes the hidden elements out.
    visible = page.read_visible(headlines)
    title = _title(page)
    printed = visible.printed
    return Facts(
        title=title,
        category=first(CATEGORY_SOURCES, page),
        published=article_time(first(PUBLISHED_SOURCES, page), printed),
        updated=_updated(page, printed),
        author=first(AUTHOR_SOURCES, page),
        caption=first(CAPTION_SOURCES, page),
        image=page.image,
        blocks=visible.blocks,
        sidebars=visible.sidebars,
        warnings=visible.warnings,
        date_problem=visible.date_problem,
    )


def first(sources: Sequence[Source[T]], page: HtmlPage) -> T | None:
    """The first value the sources give, asked in order, as far as needed."""
    return next(_values(sources, page), None)


def _values(sources: Sequence[Source[T]], page: HtmlPage) -> Iterator[T]:
    for source in sources:
        value = source(page)
        if value:
            yield value


def _title(page: HtmlPage) -> str | None:
    """The first title candidate that is more than the site's name or a section's
    label, else the first candidate; without the site's name at either end.
    The sources are asked in order, as far as needed."""
    title: str | None = None
    first_candidate: str | None = None
    for candidate in _values(TITLE_SOURCES, page):
        first_candidate = first_candidate or candidate
        if not _names_site_or_section(candidate, page):
            title = candidate
            break
    title = title or first_candidate
    if title is None:
        return None
    reference = next((headline for headline in (first_h1(page), meta_title(page),
                                                visible_title(page))
                      if headline and not _names_site_or_section(headline, page)), None)
    return strip_site_name(title, page.sites, reference)


def _updated(page: HtmlPage, printed: Stamp | None) -> datetime | None:
    """When the page says it was last changed, read by the rule of its publication
    time; None when it does not say."""
    stated = first(MODIFIED_SOURCES, page)
    return article_time(stated, printed) if stated else None


def _names_site_or_section(candidate: str, page: HtmlPage) -> bool:
    """Whether a title candidate is only the site's name, or only the label of a
    section: never the title while the page has a headline."""
    if _is_site(candidate, page.sites):
        return True
    if not could_be_label(candidate):  # most headlines: no section's name is searched for
        return False
    return candidate.casefold() in SECTION_LABELS or candidate.casefold() in {
        name.casefold() for name in _section_names(page)}


def _section_names(page: HtmlPage) -> Iterator[str]:
    """Every name the page gives a section: its metadata's, its breadcrumb's, its
    address's and the label it prints above the headline."""
    yield from filter(None, (ld_section(page), meta_section(page), address_section(page),
                             page.visible.category))
    yield from page.crumbs


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
    match = _DECORATION.match(title)
    if match and _is_site(match["site"].strip(), sites):
        return match["title"].strip()
    # Before a colon, a word in capitals is the one quoted (`KPK: ...`), not the site.
    match = _PREFIX.match(title)
    if match and _is_site(match["site"].strip(), sites, shouted=False):
        return match["title"].strip()
    return title


def _is_site(name: str, sites: set[str], *, shouted: bool = True) -> bool:
    """Whether `name` is the site's: one of its names, a domain, or (where
    `shouted`) one word in capitals (`RMOL`)."""
    return name.casefold() in sites or bool(_DOMAIN.match(name)) or (
        shouted and bool(_SHOUTED_SITE.match(name)))
