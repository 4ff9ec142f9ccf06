"""An HTML page's lead image: which of the images it names is the article's, and
its absolute address.

Sources, the most deliberate first: JSON-LD `image` (a string, a list, or an
`ImageObject`), `og:image`, `twitter:image`, then the first image of the
article body. A relative address is resolved as a browser would resolve it:
against `<base href>`, itself resolved against the page's own address (its
canonical link, `og:url`, or JSON-LD `url` / `mainEntityOfPage`). An image
whose absolute http(s) address cannot be known is passed over, never
published relative; `javascript:`, `data:` and every other scheme are too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from lxml import etree

# The body's first image: inside the article's own markup or a figure, never a
# logo in the page's header. Document order across the three.
_BODY_IMAGES = etree.XPath(
    "//*[@itemprop='articleBody']//img | //article//img | //figure//img")
_CANONICAL = etree.XPath("//link[@href][contains(concat(' ', normalize-space("
                         "translate(@rel, 'CANOICL', 'canoicl')), ' '), ' canonical ')]/@href")
_BASE = etree.XPath("//base/@href")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TABS_AND_NEWLINES = re.compile(r"[\t\n\r]")  # which browsers strip from a URL
# Characters an address may hold as they are; anything else is percent-encoded.
_URL_SAFE = ";/?:@&=+$,-_.!~*'()#%[]"


def lead_image(root: Any, meta: dict[str, str], article: dict[str, Any] | None) -> str | None:
    """The absolute http(s) address of the page's lead image, or None. `article`
    is the page's JSON-LD article object, if it has one."""
    if root is None:
        return None
    base = _base_url(root, meta, article)
    for candidate in _candidates(root, meta, article):
        url = absolute_url(candidate, base)
        if url is not None:
            return url
    return None


def absolute_url(address: str, base: str | None) -> str | None:
    """`address` made absolute against `base`, or None when that cannot be done
    or the result is not an http(s) URL."""
    address = _TABS_AND_NEWLINES.sub("", address).strip()
    if not address or _CONTROL.search(address):
        return None
    parts = urlsplit(address)
    if not parts.scheme:
        if base is None:
            return None
        address = urljoin(base, address)
        parts = urlsplit(address)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return quote(address, safe=_URL_SAFE)


def _candidates(root: Any, meta: dict[str, str], article: dict[str, Any] | None
                ) -> Iterator[str]:
    if article is not None:
        yield from _ld_images(article.get("image"))
    for key in ("og:image", "og:image:url", "og:image:secure_url", "twitter:image",
                "twitter:image:src"):
        if key in meta:
            yield meta[key]
    for image in _found(_BODY_IMAGES, root):
        for attribute in ("src", "data-src"):  # lazy-loading pages keep the real one aside
            value = image.get(attribute)
            if value:
                yield value


def _ld_images(image: Any) -> Iterator[str]:
    """The addresses a JSON-LD `image` names, in order."""
    for item in image if isinstance(image, list) else [image]:
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            for key in ("url", "contentUrl"):
                if isinstance(item.get(key), str):
                    yield item[key]


def _base_url(root: Any, meta: dict[str, str], article: dict[str, Any] | None) -> str | None:
    """What relative addresses on the page resolve against, if it can be known."""
    page = next((url for url in _page_addresses(root, meta, article)
                 if absolute_url(url, None)), None)
    base_href = next(iter(_found(_BASE, root)), None)
    if base_href is not None:
        resolved = absolute_url(str(base_href), page)
        if resolved is not None:
            return resolved
    return page.strip() if page else None


def _found(xpath: etree.XPath, root: Any) -> list[Any]:
    """An xpath's node-set (these expressions return nothing else)."""
    result = xpath(root)
    return result if isinstance(result, list) else []


def _page_addresses(root: Any, meta: dict[str, str], article: dict[str, Any] | None
                    ) -> Iterator[str]:
    yield from (str(href) for href in _found(_CANONICAL, root))
    if "og:url" in meta:
        yield meta["og:url"]
    if article is not None:
        main = article.get("mainEntityOfPage")
        for value in (article.get("url"), main.get("@id") if isinstance(main, dict) else main):
            if isinstance(value, str):
                yield value
