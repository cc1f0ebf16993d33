"""Headless Chromium as a plain subprocess, a PNG reader on the standard library, a DOM reader.

No WebDriver: ``--dump-dom`` prints the page as the browser left it (after its scripts ran,
within ``--virtual-time-budget``), and ``--screenshot`` writes what it drew.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

REQUIRE = "CASETRAIL_REQUIRE_BROWSER"


def find_chromium() -> str | None:
    """$CASETRAIL_CHROMIUM, else Debian's /usr/bin/chromium, else a chromium on PATH."""
    for candidate in (os.environ.get("CASETRAIL_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


class Chromium:
    def __init__(self, binary: str, workdir: Path) -> None:
        self.binary = binary
        self.workdir = workdir

    def _run(self, page: Path, *flags: str, budget_ms: int) -> subprocess.CompletedProcess:
        # A profile of its own for every run: two runs sharing one would wait on its lock.
        with tempfile.TemporaryDirectory(dir=self.workdir, prefix="profile-") as profile:
            command = [self.binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                       "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                       "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                       f"--virtual-time-budget={budget_ms}", *flags, page.resolve().as_uri()]
            done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=180)
        if done.returncode != 0:
            raise AssertionError(f"chromium failed ({done.returncode}): {done.stderr[-2000:]}")
        return done

    def dom(self, page: Path, budget_ms: int = 5000) -> str:
        """The page's DOM, serialised, once its scripts have had ``budget_ms`` of virtual time."""
        return self._run(page, "--dump-dom", budget_ms=budget_ms).stdout

    def screenshot(self, page: Path, out: Path, size: tuple[int, int] = (1100, 800), budget_ms: int = 3000) -> bytes:
        self._run(page, f"--screenshot={out}", f"--window-size={size[0]},{size[1]}", budget_ms=budget_ms)
        return out.read_bytes()


# -- PNG ------------------------------------------------------------------------------------------------------

@dataclass
class Image:
    width: int
    height: int
    pixels: list[bytes]  # one RGB triple per pixel, row after row

    def distinct_colours(self) -> int:
        return len(set(self.pixels))

    def share_not_white(self) -> float:
        return sum(1 for p in self.pixels if p != b"\xff\xff\xff") / max(1, len(self.pixels))

    def count(self, colour: str) -> int:
        """Pixels of exactly this colour ('#e53935')."""
        wanted = bytes.fromhex(colour.lstrip("#"))
        return sum(1 for p in self.pixels if p == wanted)


def read_png(data: bytes) -> Image:
    """An 8-bit, non-interlaced RGB or RGBA PNG, which is what Chromium writes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    width, height, depth, colour_type, _, _, interlace = header
    assert depth == 8 and interlace == 0 and colour_type in (2, 6), header
    bpp = 3 if colour_type == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * bpp
    previous = bytearray(stride)
    pixels: list[bytes] = []
    for y in range(height):
        start = y * (stride + 1)
        line = bytearray(raw[start + 1:start + 1 + stride])
        _unfilter(raw[start], line, previous, bpp)
        pixels += [bytes(line[i:i + 3]) for i in range(0, stride, bpp)]
        previous = line
    return Image(width, height, pixels)


def _unfilter(kind: int, line: bytearray, above: bytearray, bpp: int) -> None:
    if kind == 0:
        return
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 2:
            line[i] = (line[i] + above[i]) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + ((left + above[i]) >> 1)) & 0xFF
        else:
            corner = above[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + _paeth(left, above[i], corner)) & 0xFF


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


# -- DOM ------------------------------------------------------------------------------------------------------

@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    lane: str | None  # the data-person of the lane it is drawn in
    text: str = ""  # the text of its first <title> (SVG tooltip) or, for other elements, its own text
    descendants: list[Element] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class Dom(HTMLParser):
    """Every element of a dumped page, with the lane it sits in; the text of each element is unescaped."""

    VOID = frozenset({"meta", "link", "br", "img", "input", "hr", "col", "source", "area", "base", "wbr", "embed"})

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self._lane: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "g" and "lane" in values.get("class", "").split():
            self._lane = values.get("data-person")
        element = Element(tag, values, self._lane)
        for parent in self._open:
            parent.descendants.append(element)
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for n in range(len(self._open) - 1, -1, -1):
            if self._open[n].tag == tag:
                del self._open[n:]
                return

    def handle_data(self, data: str) -> None:
        if not self._open:
            return
        innermost = self._open[-1]
        innermost.text += data
        if innermost.tag == "title" and len(self._open) > 1 and not self._open[-2].text:
            self._open[-2].text = data  # an SVG group's tooltip is its <title>

    def select(self, cls: str, tag: str | None = None) -> list[Element]:
        return [e for e in self.elements if cls in e.classes and (tag is None or e.tag == tag)]

    def by_id(self, element_id: str) -> Element | None:
        return next((e for e in self.elements if e.attrs.get("id") == element_id), None)
