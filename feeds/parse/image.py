"""An HTML page's lead image: which of the images it names is the article's, and
its absolute address.

Sources, the most deliberate first: JSON-LD `image` (a string, a list, or an
`ImageObject`), `og:image`, `twitter:image`, then the first image of the
article body; its size in pixels when the same source states it (an
ImageObject's `width` and `height`, `og:image:width` and `og:image:height`, an
`<img>`'s attributes). A relative address is resolved as a browser would resolve it
(`feeds.parse.address`). An image whose absolute http(s) address cannot be
known is passed over, never published relative; `javascript:`, `data:` and
every other scheme are too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml import etree

from feeds.model import MOST_PIXELS
from feeds.parse.address import absolute_url, base_url, found
from feeds.parse.page import LeadImage

_DIGITS = re.compile(r"(\d{1,6})(?:\s*px)?", re.IGNORECASE)
# The body's first image: inside the article's own markup or a figure, never a
# logo in the page's header. In document order.
_BODY_IMAGES = etree.XPath("descendant::img[(ancestor::article or ancestor::figure"
                           " or ancestor::*[@itemprop='articleBody'])"
                           " and not(ancestor::header[not(ancestor::article)])]")




@dataclass(frozen=True, slots=True)
class _Candidate:
    address: str
    width: object = None
    height: object = None


def lead_image(root: Any, meta: dict[str, str], article: dict[str, Any] | None,
               page: str | None) -> LeadImage | None:
    """The page's lead image, or None. `article` is the page's JSON-LD article
    object, if it has one; `page` its own address."""
    if root is None:
        return None
    base = base_url(root, page)
    for candidate in _candidates(root, meta, article):
        url = absolute_url(candidate.address, base)
        if url is not None:
            width, height = _pixels(candidate.width), _pixels(candidate.height)
            if width is None or height is None:  # half a size is no size
                width = height = None
            return LeadImage(url, width, height)
    return None


def _candidates(root: Any, meta: dict[str, str], article: dict[str, Any] | None
                ) -> Iterator[_Candidate]:
    if article is not None:
        yield from _ld_images(article.get("image"))
    for key in ("og:image", "og:image:url", "og:image:secure_url"):
        if key in meta:
            yield _Candidate(meta[key], meta.get("og:image:width"), meta.get("og:image:height"))
    for key in ("twitter:image", "twitter:image:src"):
        if key in meta:
            yield _Candidate(meta[key])
    for image in found(_BODY_IMAGES, root):
        for attribute in ("src", "data-src"):  # lazy-loading pages keep the real one aside
            value = image.get(attribute)
            if value:
                yield _Candidate(value, image.get("width"), image.get("height"))


def _ld_images(image: Any) -> Iterator[_Candidate]:
    """The images a JSON-LD `image` names, in order, with an ImageObject's size."""
    for item in image if isinstance(image, list) else [image]:
        if isinstance(item, str):
            yield _Candidate(item)
        elif isinstance(item, dict):
            for key in ("url", "contentUrl"):
                if isinstance(item.get(key), str):
                    yield _Candidate(item[key], item.get("width"), item.get("height"))


def _pixels(stated: object) -> int | None:
    """A stated width or height in pixels: a number, digits (`"1200"`, `"1200px"`)
    or a schema.org QuantitativeValue; None for anything else."""
    if isinstance(stated, dict):
        stated = stated.get("value")
    if isinstance(stated, bool):
        return None
    if isinstance(stated, int | float):
        value = int(stated) if float(stated).is_integer() else None
    elif isinstance(stated, str):
        match = _DIGITS.fullmatch(stated.strip())
        value = int(match[1]) if match else None
    else:
        value = None
    return value if value is not None and 0 < value <= MOST_PIXELS else None
