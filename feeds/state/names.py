"""The categories and reporters with entries, named by the spelling most of
their entries use: read from the counts the schema's triggers keep, so that
naming and counting the feeds never scans the entries."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Category:
    slug: str
    name: str
    count: int
    newest: datetime


@dataclass(frozen=True, slots=True)
class Reporter:
    """A reporter (or any name spelled several ways) with entries: the spelling
    most of them use, and how many."""

    slug: str
    name: str
    entries: int


class Names:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def categories(self) -> list[Category]:
        """Every category with entries: its display name is the spelling most
        entries use (ties: the alphabetically first)."""
        return [Category(named.slug, named.name, named.entries, self._newest_in(named.slug))
                for named in self._named("spellings", "category_slug", "category")]

    def reporters(self) -> list[Reporter]:
        """Every reporter with entries, named as `categories` names categories."""
        return self._named("reporters", "author_slug", "author")

    def _named(self, table: str, slug: str, spelling: str) -> list[Reporter]:
        """Each slug of a table of spellings kept by triggers, with the spelling
        most entries use (ties: the alphabetically first) and all their entries."""
        rows = self.db.execute(f"SELECT {slug}, {spelling}, entries FROM {table} "
                               f"ORDER BY {slug}, entries DESC, {spelling}")  # fixed names
        named: dict[str, Reporter] = {}
        for key, name, count in rows:
            first = named.get(key)
            named[key] = (Reporter(key, name, count) if first is None
                          else Reporter(key, first.name, first.entries + count))
        return list(named.values())

    def _newest_in(self, slug: str) -> datetime:
        (newest,) = self.db.execute("SELECT max(published) FROM entries WHERE category_slug = ?",
                                    (slug,)).fetchone()
        return datetime.fromisoformat(newest)
