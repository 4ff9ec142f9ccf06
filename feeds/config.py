"""Settings: a TOML file to a frozen, validated `Settings`.

The file is found as users expect (`find_config`): `-c FILE`, else
`$FEEDS_CONFIG`, else `./config/feeds.toml` when there is one, else none and
the built-in defaults, whose paths are relative to the working directory.
Every error names the file, the key and what was expected. Relative paths in
a file are relative to the file's own directory, so the daemon reads the same
directories whatever its working directory.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from feeds import __version__
from feeds.dates import ZONES
from feeds.errors import ConfigError
from feeds.partners import PartnerProfile, read_profiles

if TYPE_CHECKING:
    from feeds.parse import ParseOptions
    from feeds.site import Site

LOCAL_CONFIG = Path("config/feeds.toml")
CONFIG_VARIABLE = "FEEDS_CONFIG"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything feeds needs to run; durations in seconds, paths absolute."""

    site_title: str = "Warta Nusantara"
    site_description: str = "Berita terbaru dari halaman berita yang diarsipkan, per kategori."
    base_url: str = "http://127.0.0.1:8080/"
    language: str = "id"
    zone: str = "WIB"
    site_icon: str = ""  # an http(s) URL or an absolute file path; "" for the shipped icon
    site_logo: str = ""  # the same; "" for the icon
    accent_color: str = "b3261e"  # six hex digits: Feedly's accent colour for the feeds
    cover: str = ""  # an http(s) URL of a wide image Feedly shows atop the feed; "" for none
    webfeeds: bool = False  # Feedly's elements in RSS feeds (the W3C validator warns of them)
    input_dir: Path = Path("input")
    output_dir: Path = Path("output")
    state_path: Path = Path("state/feeds.sqlite3")
    entries_per_feed: int = 50
    default_zone: str = "WIB"
    default_category: str = "Berita"
    max_dump_bytes: int = 5 * 1024 * 1024
    interval: float = 2.0
    safety_interval: float = 300.0
    settle_seconds: float = 10.0
    log_level: str = "INFO"
    host: str = "127.0.0.1"
    port: int = 8080
    cache_max_age: int = 300
    archive_max_age: int = 86400  # archive documents (RFC 5005) barely change
    connection_limit: int = 1000
    idle_timeout: float = 60.0
    threads: int = 8
    access_log: str = "-"  # "-": stderr; "": none; else a file (reopened when rotated)
    websub_hub: str = ""
    deploy_target: str = ""  # s3://bucket/prefix; "" for none
    deploy_endpoint_url: str = ""  # an S3-compatible store's; "" for Amazon S3
    deploy_region: str = ""  # "" for the AWS configuration's (AWS_REGION, ~/.aws/config)
    deploy_max_deletes: int = 500
    deploy_attempts: int = 5  # per request, with backoff, before a deploy fails
    deploy_on_change: str = ""  # a command given the changed URL paths on stdin
    deploy_gzip: bool = False
    deploy_cache_feeds: str = "public, max-age=300"
    deploy_cache_listings: str = "public, max-age=300"
    deploy_cache_pages: str = "public, max-age=86400"
    deploy_cache_assets: str = "public, max-age=86400"
    deploy_cache_archives: str = "public, max-age=86400"
    images_probe: bool = False  # read unstated lead image sizes from the images over HTTP
    images_timeout: float = 3.0  # seconds for a whole probe, redirects included
    images_max_bytes: int = 65536  # of an image read at most
    images_concurrency: int = 8  # probes at once
    images_allow_networks: tuple[str, ...] = ()  # private networks a probe may reach
    stats_history: str = ""  # `feeds stats`' history file; "": stats.sqlite3 beside the state
    stats_public: bool = False  # the stats page in the output (else beside the history)
    stats_logs: tuple[str, ...] = ()  # logs `feeds stats` reads; (): server.access_log's
    partners: tuple[PartnerProfile, ...] = ()  # [partners.<name>]: feeds.partners

    @property
    def parse_options(self) -> ParseOptions:
        from feeds.parse import ParseOptions  # the parser loads only for the commands that parse

        return ParseOptions(default_category=self.default_category,
                            default_zone=self.default_zone, max_bytes=self.max_dump_bytes)

    @property
    def site(self) -> Site:
        from feeds.site import Site, image_url

        icon = image_url(self.site_icon, "icon", self.base_url)
        logo = image_url(self.site_logo, "logo", self.base_url) if self.site_logo else icon
        return Site(title=self.site_title, description=self.site_description,
                    base_url=self.base_url, language=self.language, zone=self.zone,
                    icon=icon, logo=logo, hub=self.websub_hub or None,
                    accent_color=self.accent_color.lower(), cover=self.cover or None,
                    webfeeds=self.webfeeds)

    @property
    def render_fingerprint(self) -> str:
        """What the rendered output depends on besides the entries: when it changes,
        every feed and page is rendered again."""
        return repr((__version__, self.site, self.entries_per_feed, self.partners))

    def with_overrides(self, **overrides: Any) -> Settings:
        """These settings with command-line values (None means: not given)."""
        given = {key: value for key, value in overrides.items() if value is not None}
        return replace(self, **given) if given else self


# TOML table and key -> Settings field, and the type the value must have.
SCHEMA: dict[str, dict[str, tuple[str, type | tuple[type, ...]]]] = {
    "site": {"title": ("site_title", str), "description": ("site_description", str),
             "base_url": ("base_url", str), "language": ("language", str),
             "zone": ("zone", str), "icon": ("site_icon", str), "logo": ("site_logo", str),
             "accent_color": ("accent_color", str), "cover": ("cover", str),
             "webfeeds": ("webfeeds", bool)},
    "paths": {"input": ("input_dir", str), "output": ("output_dir", str),
              "state": ("state_path", str)},
    "feeds": {"entries_per_feed": ("entries_per_feed", int), "default_zone": ("default_zone", str),
              "default_category": ("default_category", str),
              "max_dump_bytes": ("max_dump_bytes", int)},
    "daemon": {"interval": ("interval", (int, float)),
               "safety_interval": ("safety_interval", (int, float)),
               "settle_seconds": ("settle_seconds", (int, float)),
               "log_level": ("log_level", str)},
    "server": {"host": ("host", str), "port": ("port", int),
               "cache_max_age": ("cache_max_age", int),
               "archive_max_age": ("archive_max_age", int),
               "connection_limit": ("connection_limit", int),
               "idle_timeout": ("idle_timeout", (int, float)), "threads": ("threads", int),
               "access_log": ("access_log", str)},
    "websub": {"hub": ("websub_hub", str)},
    "deploy": {"target": ("deploy_target", str), "endpoint_url": ("deploy_endpoint_url", str),
               "region": ("deploy_region", str), "max_deletes": ("deploy_max_deletes", int),
               "attempts": ("deploy_attempts", int), "on_change": ("deploy_on_change", str),
               "gzip": ("deploy_gzip", bool), "cache_feeds": ("deploy_cache_feeds", str),
               "cache_listings": ("deploy_cache_listings", str),
               "cache_pages": ("deploy_cache_pages", str),
               "cache_assets": ("deploy_cache_assets", str),
               "cache_archives": ("deploy_cache_archives", str)},
    "images": {"probe": ("images_probe", bool), "timeout": ("images_timeout", (int, float)),
               "max_bytes": ("images_max_bytes", int),
               "concurrency": ("images_concurrency", int),
               "allow_networks": ("images_allow_networks", list)},
    "stats": {"history": ("stats_history", str), "public": ("stats_public", bool),
              "logs": ("stats_logs", list)},
}
PARTNERS = "partners"  # the table of partner profiles, read by feeds.partners
_PATH_FIELDS = {"input_dir", "output_dir", "state_path"}
# Fields holding a URL or a file (relative to the configuration file's directory).
_IMAGE_FIELDS = {"site_icon": "site.icon", "site_logo": "site.logo"}
IMAGE_SUFFIXES = (".png", ".svg", ".ico", ".jpg", ".jpeg", ".gif", ".webp")


def find_config(explicit: Path | None, environ: Mapping[str, str] = os.environ) -> Path | None:
    """The configuration file to read: `-c`, else `$FEEDS_CONFIG`, else
    `./config/feeds.toml` when it exists; None means the built-in defaults."""
    if explicit is not None:
        return explicit
    if environ.get(CONFIG_VARIABLE):
        return Path(environ[CONFIG_VARIABLE])
    return LOCAL_CONFIG if LOCAL_CONFIG.is_file() else None


def load_config(path: Path | None) -> Settings:
    """The settings of a configuration file, or the built-in defaults (paths
    relative to the working directory) when `path` is None. Raises ConfigError."""
    if path is None:
        return validate(_resolved(Settings(), Path.cwd()), "built-in defaults")
    return load_settings(path)


def _resolved(settings: Settings, base: Path) -> Settings:
    def absolute(path: Path) -> Path:
        return Path(os.path.normpath(base / path))

    return replace(settings, input_dir=absolute(settings.input_dir),
                   output_dir=absolute(settings.output_dir),
                   state_path=absolute(settings.state_path))


def load_settings(path: Path) -> Settings:
    """Read and validate a configuration file. Raises ConfigError."""
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except FileNotFoundError as error:
        raise ConfigError(path, None, "no such configuration file") from error
    except OSError as error:
        raise ConfigError(path, None, f"cannot read: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, None, f"not valid TOML: {error}") from error
    values: dict[str, Any] = {}
    base = path.resolve().parent
    for table, content in document.items():
        if table == PARTNERS:
            values["partners"] = read_profiles(path, content)
            continue
        if table not in SCHEMA:
            raise ConfigError(path, table, f"unknown table; expected one of "
                                           f"{sorted([*SCHEMA, PARTNERS])}")
        if not isinstance(content, dict):
            raise ConfigError(path, table, "expected a table")
        for key, value in content.items():
            values.update(_field(path, table, key, value, base))
    return validate(Settings(**values), path)


def _field(path: Path, table: str, key: str, value: Any, base: Path) -> dict[str, Any]:
    where = f"{table}.{key}"
    if key not in SCHEMA[table]:
        raise ConfigError(path, where, f"unknown key; expected one of {sorted(SCHEMA[table])}")
    name, expected = SCHEMA[table][key]
    if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
        wanted = expected.__name__ if isinstance(expected, type) else "a number"
        raise ConfigError(path, where, f"expected {wanted}, got {type(value).__name__} {value!r}")
    if name in _PATH_FIELDS:
        return {name: Path(os.path.normpath(base / str(value)))}
    if name == "access_log" and value not in ("", "-"):
        return {name: os.path.normpath(base / str(value))}
    if isinstance(value, list):
        if not all(isinstance(item, str) for item in value):
            raise ConfigError(path, where, f"expected a list of strings, got {value!r}")
        if name == "stats_logs":  # files, or patterns of files
            return {name: tuple(os.path.normpath(base / item) for item in value)}
        return {name: tuple(value)}
    if name == "stats_history" and value:
        return {name: os.path.normpath(base / str(value))}
    if name in _IMAGE_FIELDS and value and not urlsplit(str(value)).scheme:  # a file
        return {name: os.path.normpath(base / str(value))}
    return {name: float(str(value)) if expected == (int, float) else value}


def _absolute(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def validate(settings: Settings, path: Path | str = "<settings>") -> Settings:
    """Check what types cannot: ranges, zones, URLs. Returns the settings, base URL
    ending in "/"."""
    if not _absolute(settings.base_url):
        raise ConfigError(path, "site.base_url",
                          f"expected an absolute http(s) URL, got {settings.base_url!r}")
    checks = [
        (settings.entries_per_feed >= 1, "feeds.entries_per_feed", "expected at least 1"),
        (settings.default_zone.upper() in ZONES, "feeds.default_zone",
         f"expected one of {sorted(ZONES)}, got {settings.default_zone!r}"),
        (settings.zone.upper() in ZONES, "site.zone",
         f"expected one of {sorted(ZONES)}, got {settings.zone!r}"),
        (settings.max_dump_bytes >= 1024, "feeds.max_dump_bytes", "expected at least 1024"),
        (settings.interval > 0, "daemon.interval", "expected a positive number of seconds"),
        (settings.safety_interval > 0, "daemon.safety_interval",
         "expected a positive number of seconds"),
        (settings.settle_seconds >= 0, "daemon.settle_seconds", "expected 0 or more seconds"),
        (settings.log_level.upper() in LOG_LEVELS, "daemon.log_level",
         f"expected one of {list(LOG_LEVELS)}"),
        (bool(settings.site_title.strip()), "site.title", "expected a non-empty title"),
        (0 < settings.port < 65536, "server.port", "expected a port number from 1 to 65535"),
        (settings.cache_max_age >= 0, "server.cache_max_age", "expected 0 or more seconds"),
        (settings.archive_max_age >= 0, "server.archive_max_age", "expected 0 or more seconds"),
        (settings.connection_limit >= 1, "server.connection_limit", "expected at least 1"),
        (settings.idle_timeout >= 1, "server.idle_timeout", "expected 1 or more seconds"),
        (1 <= settings.threads <= 256, "server.threads", "expected 1 to 256"),
        (not settings.websub_hub or _absolute(settings.websub_hub), "websub.hub",
         f"expected an absolute http(s) URL, got {settings.websub_hub!r}"),
        (bool(settings.default_category.strip()), "feeds.default_category",
         "expected a non-empty category"),
        (re.fullmatch(r"[0-9A-Fa-f]{6}", settings.accent_color) is not None, "site.accent_color",
         f"expected six hex digits such as b3261e, got {settings.accent_color!r}"),
        (not settings.cover or _absolute(settings.cover), "site.cover",
         f"expected an absolute http(s) URL, got {settings.cover!r}"),
        *_deploy_checks(settings), *_images_checks(settings),
    ]
    checks += [_image_check(getattr(settings, name), key) for name, key in _IMAGE_FIELDS.items()]
    for ok, key, reason in checks:
        if not ok:
            raise ConfigError(path, key, reason)
    return replace(settings, base_url=settings.base_url.rstrip("/") + "/",
                   default_zone=settings.default_zone.upper(), zone=settings.zone.upper(),
                   log_level=settings.log_level.upper())


def _deploy_checks(settings: Settings) -> list[tuple[bool, str, str]]:
    return [
        (not settings.deploy_target or _target(settings.deploy_target), "deploy.target",
         f"expected s3://bucket or s3://bucket/prefix, got {settings.deploy_target!r}"),
        (not settings.deploy_endpoint_url or _absolute(settings.deploy_endpoint_url),
         "deploy.endpoint_url",
         f"expected an absolute http(s) URL, got {settings.deploy_endpoint_url!r}"),
        (settings.deploy_max_deletes >= 0, "deploy.max_deletes", "expected 0 or more"),
        (1 <= settings.deploy_attempts <= 20, "deploy.attempts", "expected 1 to 20"),
    ]


def _images_checks(settings: Settings) -> list[tuple[bool, str, str]]:
    return [
        (0 < settings.images_timeout <= 60, "images.timeout",
         "expected more than 0 and at most 60 seconds"),
        (1024 <= settings.images_max_bytes <= 1 << 24, "images.max_bytes",
         "expected 1024 to 16777216 bytes"),
        (1 <= settings.images_concurrency <= 64, "images.concurrency", "expected 1 to 64"),
        *_network_checks(settings.images_allow_networks),
    ]


def _network_checks(networks: tuple[str, ...]) -> list[tuple[bool, str, str]]:
    """Each of `images.allow_networks` an address or a network (CIDR)."""
    checks = []
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            checks.append((False, "images.allow_networks",
                           f"expected addresses or networks such as 10.0.0.0/8, "
                           f"got {network!r}"))
    return checks


def _target(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "s3" and bool(parts.netloc) and not parts.query and not parts.fragment


def _image_check(value: str, key: str) -> tuple[bool, str, str]:
    """An icon or logo: nothing, an absolute http(s) URL, or an image file."""
    if not value or _absolute(value):
        return True, key, ""
    if urlsplit(value).scheme:
        return False, key, f"expected an absolute http(s) URL or an image file, got {value!r}"
    if not value.lower().endswith(IMAGE_SUFFIXES):
        return False, key, f"expected an image file ({', '.join(IMAGE_SUFFIXES)}), got {value!r}"
    if not Path(value).is_file():
        return False, key, f"no such file: {value}"
    return True, key, ""


def check_paths(settings: Settings, path: Path | str) -> None:
    """Refuse, before any work, paths that can never work: an input or output
    that exists but is no directory, a state whose directory cannot be made."""
    places = [("paths.input", settings.input_dir), ("paths.output", settings.output_dir),
              ("paths.state", settings.state_path.parent)]
    for key, directory in places:
        if directory.exists() and not directory.is_dir():
            raise ConfigError(path, key, f"expected a directory, but {directory} is a file")
        parent = next((p for p in directory.parents if p.exists()), None)
        if not directory.exists() and parent is not None and not os.access(parent, os.W_OK):
            raise ConfigError(path, key, f"cannot create {directory}: {parent} is not writable")
