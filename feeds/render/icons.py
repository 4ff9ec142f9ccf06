"""The site's icon and logo as files of the output: the configured files, or the
icon feeds ships (`feeds/assets`), and `favicon.ico`."""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from feeds.site import OutputFile, image_file

ASSETS = Path(__file__).resolve().parent.parent / "assets"  # read by the publisher
SHIPPED_FILES = ("icon.png", "icon.svg", "favicon.ico")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True, slots=True)
class Image:
    """A configured icon or logo (`kind`): its setting (a file's path) and its bytes."""

    kind: str
    configured: str
    data: bytes


def icon_files(configured: Sequence[Image], shipped: Mapping[str, bytes], *,
               icon_configured: bool) -> list[OutputFile]:
    """The icon and logo files the pages and feeds point at: the configured files,
    and the shipped ones (`SHIPPED_FILES`) while no icon is configured (a file or
    a URL);
    `favicon.ico` is the configured icon when it is an ICO or a PNG file, else
    the shipped one."""
    files = {}
    if not icon_configured:
        files = {name: shipped[name] for name in SHIPPED_FILES}
    for image in configured:
        published = image_file(image.configured, image.kind)
        if published is None:
            continue
        files[published] = image.data
        if image.kind == "icon" and published.endswith(".ico"):
            files["favicon.ico"] = image.data
        elif image.kind == "icon" and image.data.startswith(_PNG_SIGNATURE):
            files["favicon.ico"] = ico_from_pngs([image.data])
    files.setdefault("favicon.ico", shipped["favicon.ico"])
    return [OutputFile(path, data) for path, data in files.items()]


def ico_from_pngs(images: list[bytes]) -> bytes:
    """An ICO file holding these PNG images as they are (an ICO may embed PNGs;
    every browser reads them). Each image's size comes from its PNG header."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    directory, payload = b"", b""
    for image in images:
        if not image.startswith(_PNG_SIGNATURE):
            raise ValueError("not a PNG image")
        width, height = struct.unpack(">II", image[16:24])  # IHDR's first fields
        directory += struct.pack("<BBBBHHII", width % 256, height % 256, 0, 0, 1, 32,
                                 len(image), offset + len(payload))
        payload += image
    return header + directory + payload
