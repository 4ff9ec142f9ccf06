"""The site's icon and logo as files of the output: the configured files, or the
icon feeds ships (`feeds/assets`), and `favicon.ico`."""

from __future__ import annotations

import struct
from pathlib import Path

from feeds.config import Settings
from feeds.output import Output
from feeds.site import image_file

ASSETS = Path(__file__).resolve().parent.parent / "assets"
DEFAULT_FILES = ("icon.png", "icon.svg", "favicon.ico")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def write_icons(settings: Settings, output: Output) -> None:
    """Copy the icon and logo files the pages and feeds point at; `favicon.ico`
    is the configured icon when it is an ICO or a PNG file, else the shipped one."""
    icon, logo = settings.site_icon, settings.site_logo
    if not icon:
        for name in DEFAULT_FILES:
            output.write(name, (ASSETS / name).read_bytes())
        return
    favicon = (ASSETS / "favicon.ico").read_bytes()
    for kind, configured in (("icon", icon), ("logo", logo)):
        published = image_file(configured, kind)
        if published is None:
            continue
        data = Path(configured).read_bytes()
        output.write(published, data)
        if kind == "icon" and published.endswith(".ico"):
            favicon = data
        elif kind == "icon" and data.startswith(_PNG_SIGNATURE):
            favicon = ico_from_pngs([data])
    output.write("favicon.ico", favicon)


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
