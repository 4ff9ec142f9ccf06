"""What each published file is, by its name: its Content-Type, as the built-in
server and the object store send it (deploy/nginx.conf says the same to nginx).

Python's mimetypes knows neither .opml nor the feed types, names .ico
image/vnd.microsoft.icon and reads /etc/mime.types, which differs by host; and
werkzeug adds no charset to the JSON types. So the types are written here."""

from __future__ import annotations

CONTENT_TYPES = {
    "rss.xml": "application/rss+xml",
    "atom.xml": "application/atom+xml",
    "feed.json": "application/feed+json",
    ".opml": "text/x-opml",
    ".html": "text/html",
    ".xml": "application/xml",
    ".json": "application/json",
    ".css": "text/css",
    ".txt": "text/plain",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
# Text: sent with a charset, and worth compressing.
COMPRESSIBLE = ("text/", "application/rss+xml", "application/atom+xml", "application/feed+json",
                "application/xml", "application/json")


def content_type(path: str) -> str:
    """The Content-Type of the published file `path`, with its charset when it is text."""
    name = path.rpartition("/")[2]
    suffix = name[name.rfind("."):].lower() if "." in name else ""
    kind = CONTENT_TYPES.get(name) or CONTENT_TYPES.get(suffix, "application/octet-stream")
    return f"{kind}; charset=utf-8" if is_text(kind) else kind


def is_text(kind: str) -> bool:
    """Whether a Content-Type is text (a charset applies, compression pays)."""
    return kind.startswith(COMPRESSIBLE)
