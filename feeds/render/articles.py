"""Article pages: one per entry."""

from __future__ import annotations

from feeds.model import Published
from feeds.render.pages import article_page
from feeds.site import OutputFile, Site, category_feed, entry_page


def article_file(published: Published, site: Site) -> OutputFile:
    """An article's page. It names the category as the article itself spells it,
    so that the page depends on nothing but the article and the site."""
    entry = published.entry
    spec = category_feed(entry.category_slug, entry.category, site.title)
    return OutputFile(entry_page(published), article_page(published, spec, site))
