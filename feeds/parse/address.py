"""Where a saved page came from, and addresses on it made absolute.

The page's own address is its canonical link, `og:url`, or JSON-LD `url` /
`mainEntityOfPage`, the first that is an absolute http(s) URL. Relative
addresses on the page resolve as a browser resolves them: against
`<base href>`, itself resolved against the page's own address.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from lxml import etree

_CANONICAL = etree.XPath("descendant::link[@href][contains(concat(' ', normalize-space("
                         "translate(@rel, 'CANOICL', 'canoicl')), ' '), ' canonical ')]/@href")
_BASE = etree.XPath("descendant::base/@href")
# Controls, and lone surrogates (from JSON-LD's `\ud800`), which no URL can be encoded with.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_TABS_AND_NEWLINES = re.compile(r"[\t\n\r]")  # which browsers strip from a URL
# Characters an address may hold as they are; anything else is percent-encoded.
_URL_SAFE = ";/?:@&=+$,-_.!~*'()#%[]"
_ALL_SAFE = re.compile(r"[A-Za-z0-9;/?:@&=+$,\-_.!~*'()#%\[\]]*")


def absolute_url(address: str, base: str | None) -> str | None:
    """`address` made absolute against `base`, or None when that cannot be done
    or the result is not an http(s) URL."""
    address = _TABS_AND_NEWLINES.sub("", address).strip()
    if not address or _CONTROL.search(address):
        return None
    try:
        parts = urlsplit(address)
        if not parts.scheme:
            if base is None:
                return None
            address = urljoin(base, address)
            parts = urlsplit(address)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
    except ValueError:  # urllib refuses it (`http://[x`: "Invalid IPv6 URL")
        return None
    return address if _ALL_SAFE.fullmatch(address) else quote(address, safe=_URL_SAFE)


def page_address(root: Any, meta: dict[str, str], article: dict[str, Any] | None
                 ) -> str | None:
    """The page's own absolute http(s) address, if it names one. `article` is the
    page's JSON-LD article object, if it has one."""
    if root is None:
        return None
    return next(filter(None, (absolute_url(url, None)
                              for url in _page_addresses(root, meta, article))), None)


def base_url(root: Any, page: str | None) -> str | None:
    """What relative addresses on the page resolve against, if it can be known."""
    base_href = next(iter(found(_BASE, root)), None)
    if base_href is not None:
        resolved = absolute_url(str(base_href), page)
        if resolved is not None:
            return resolved
    return page


def found(xpath: etree.XPath, root: Any) -> list[Any]:
    """An xpath's node-set (the expressions given here return nothing else)."""
    result = xpath(root)
    return result if isinstance(result, list) else []


def _page_addresses(root: Any, meta: dict[str, str], article: dict[str, Any] | None
                    ) -> Iterator[str]:
    yield from (str(href) for href in found(_CANONICAL, root))
    if "og:url" in meta:
        yield meta["og:url"]
    if article is not None:
        main = article.get("mainEntityOfPage")
        for value in (article.get("url"), main.get("@id") if isinstance(main, dict) else main):
            if isinstance(value, str):
                yield value
