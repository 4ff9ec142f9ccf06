"""An HTML page's lead image: which of the images it names is the article's, and
its absolute address.

Sources, the most deliberate first: JSON-LD `image` (a string, a list, or an
`ImageObject`), `og:image`, `twitter:image`, then the first image of the
article body. A relative address is resolved as a browser would resolve it
(`feeds.parse.address`). An image whose absolute http(s) address cannot be
known is passed over, never published relative; `javascript:`, `data:` and
every other scheme are too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lxml import etree

from feeds.parse.address import absolute_url, base_url, found

# The body's first image: inside the article's own markup or a figure, never a
# logo in the page's header. In document order.
_BODY_IMAGES = etree.XPath("descendant::img[(ancestor::article or ancestor::figure"
                           " or ancestor::*[@itemprop='articleBody'])"
                           " and not(ancestor::header[not(ancestor::article)])]")


def lead_image(root: Any, meta: dict[str, str], article: dict[str, Any] | None,
               page: str | None) -> str | None:
    """The absolute http(s) address of the page's lead image, or None. `article`
    is the page's JSON-LD article object, if it has one; `page` its own address."""
    if root is None:
        return None
    base = base_url(root, page)
    for candidate in _candidates(root, meta, article):
        url = absolute_url(candidate, base)
        if url is not None:
            return url
    return None


def _candidates(root: Any, meta: dict[str, str], article: dict[str, Any] | None
                ) -> Iterator[str]:
    if article is not None:
        yield from _ld_images(article.get("image"))
    for key in ("og:image", "og:image:url", "og:image:secure_url", "twitter:image",
                "twitter:image:src"):
        if key in meta:
            yield meta[key]
    for image in found(_BODY_IMAGES, root):
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
