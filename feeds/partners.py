"""Partner profiles: one feed each for an aggregator (Google News, Flipboard, MSN,
Kurio...), configured in `[partners.<name>]` and published at
`partner/<name>/`. A profile chooses and trims; it never changes an id or a date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from feeds.errors import ConfigError
from feeds.text import slugify

FORMATS = ("rss", "atom", "json")
UPDATE_PERIODS = ("hourly", "daily", "weekly", "monthly", "yearly")
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,40}")


@dataclass(frozen=True, slots=True)
class PartnerProfile:
    """What one partner is sent. Lists of categories and reporters hold slugs
    (names are turned into slugs when read); empty means all. Sizes in bytes and
    pixels; 0 means no limit."""

    name: str
    formats: tuple[str, ...] = ("rss",)
    categories: tuple[str, ...] = ()
    exclude_categories: tuple[str, ...] = ()
    reporters: tuple[str, ...] = ()
    exclude_reporters: tuple[str, ...] = ()
    window_hours: float = 0.0  # the last N hours before the newest article; 0: no window
    min_items: int = 0
    max_items: int = 50
    max_feed_bytes: int = 0
    max_item_bytes: int = 0
    full_text: bool = True
    link_params: str = ""  # appended to item links, never to ids: "utm_source=x"
    ttl: int = 0  # RSS <ttl>, minutes
    update_period: str = ""  # sy:updatePeriod: hourly, daily, weekly, monthly, yearly
    update_frequency: int = 1  # sy:updateFrequency
    require_image: bool = False
    min_image_size: int = 0  # the lead image's smaller side, in pixels

    @property
    def directory(self) -> str:
        return f"partner/{self.name}/"


_TYPES: dict[str, type | tuple[type, ...]] = {
    "formats": list, "categories": list, "exclude_categories": list, "reporters": list,
    "exclude_reporters": list, "window_hours": (int, float), "min_items": int,
    "max_items": int, "max_feed_bytes": int, "max_item_bytes": int, "full_text": bool,
    "link_params": str, "ttl": int, "update_period": str, "update_frequency": int,
    "require_image": bool, "min_image_size": int,
}
_SLUG_LISTS = {"categories", "exclude_categories", "reporters", "exclude_reporters"}


def read_profiles(path: Path | str, table: Any) -> tuple[PartnerProfile, ...]:
    """The `[partners]` table's profiles, checked. Raises ConfigError naming the key."""
    if not isinstance(table, dict):
        raise ConfigError(path, "partners", "expected a table of [partners.<name>] tables")
    return tuple(_profile(path, name, values) for name, values in sorted(table.items()))


def _profile(path: Path | str, name: str, values: Any) -> PartnerProfile:
    where = f"partners.{name}"
    if not _NAME.fullmatch(name):
        raise ConfigError(path, where, "expected a name of lowercase letters, digits and -")
    if not isinstance(values, dict):
        raise ConfigError(path, where, "expected a table")
    given: dict[str, Any] = {}
    for key, value in values.items():
        if key not in _TYPES:
            raise ConfigError(path, f"{where}.{key}",
                              f"unknown key; expected one of {sorted(_TYPES)}")
        expected = _TYPES[key]
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            raise ConfigError(path, f"{where}.{key}", f"expected {_kind(expected)}, got "
                                                      f"{type(value).__name__} {value!r}")
        if isinstance(value, list):
            if not all(isinstance(item, str) and item.strip() for item in value):
                raise ConfigError(path, f"{where}.{key}", "expected a list of names")
            value = tuple(slugify(item) if key in _SLUG_LISTS else item for item in value)
        given[key] = float(value) if key == "window_hours" else value
    profile = PartnerProfile(name=name, **given)
    _check(path, where, profile)
    return profile


def _kind(expected: type | tuple[type, ...]) -> str:
    return "a number" if isinstance(expected, tuple) else expected.__name__


def _check(path: Path | str, where: str, profile: PartnerProfile) -> None:
    checks = [
        (bool(profile.formats) and set(profile.formats) <= set(FORMATS), "formats",
         f"expected some of {list(FORMATS)}"),
        (profile.window_hours >= 0, "window_hours", "expected 0 (no window) or more hours"),
        (profile.max_items >= 1, "max_items", "expected at least 1"),
        (0 <= profile.min_items <= profile.max_items, "min_items",
         f"expected 0 to max_items ({profile.max_items}): a feed cannot hold more than its "
         f"most"),
        (profile.max_feed_bytes >= 0 and profile.max_item_bytes >= 0, "max_feed_bytes",
         "expected 0 (no limit) or more bytes"),
        (profile.ttl >= 0, "ttl", "expected 0 (none) or more minutes"),
        (not profile.update_period or profile.update_period in UPDATE_PERIODS, "update_period",
         f"expected one of {list(UPDATE_PERIODS)}"),
        (profile.update_frequency >= 1, "update_frequency", "expected at least 1"),
        (profile.min_image_size >= 0, "min_image_size", "expected 0 or more pixels"),
        (not profile.min_image_size or profile.require_image, "min_image_size",
         "expected require_image = true beside it"),
        (not (set(profile.categories) & set(profile.exclude_categories)), "exclude_categories",
         "names a category the profile also includes"),
        ("#" not in profile.link_params and not profile.link_params.startswith("?"),
         "link_params", "expected a query string such as utm_source=partner"),
    ]
    for ok, key, reason in checks:
        if not ok:
            raise ConfigError(path, f"{where}.{key}", reason)
