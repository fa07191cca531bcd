"""Pictures in pages: the content team's originals in `content/images/`, served small and modern.

A resident on a phone with a slow connection should never download a 4 MB
photo. Each original is resized to a few widths (`WIDTHS`, never wider than
the original), in WebP (small, supported by every current browser) and in JPEG
or PNG for older browsers; the page offers them with `srcset`, so the browser
picks the smallest that fills the screen.

Derived files live in the instance folder, in one folder per original named by
a hash of its bytes (`<derived>/<digest>/<stem>-<width>.webp`): a changed
picture gets new addresses, so they can be cached for a year. Each folder is
built in a temporary folder and renamed into place, so a reader never sees half
of one. No Flask here: the web layer serves the files `file_for` names.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

FOLDER = "images"
WIDTHS = (320, 640, 1024)
EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".gif")
WEBP_QUALITY = 72
JPEG_QUALITY = 78
DIGEST_LENGTH = 16
_DERIVED_NAME = re.compile(r"^[a-z0-9-]{1,80}-(\d{2,4})\.(webp|jpg|png)$")
_DIGEST = re.compile(rf"^[0-9a-f]{{{DIGEST_LENGTH}}}$")


@dataclass(frozen=True)
class ImageVariant:
    width: int
    height: int
    webp_url: str
    fallback_url: str


@dataclass(frozen=True)
class ImageVariants:
    """One picture as the page offers it: its widths in WebP and in a fallback format."""

    name: str  # as written in the page, relative to content/images
    width: int  # the original's size, for the page's width and height attributes (no layout shift)
    height: int
    fallback_type: str  # "image/jpeg" or "image/png"
    variants: tuple[ImageVariant, ...]
    digest: str

    @property
    def smallest(self) -> ImageVariant:
        return self.variants[0]

    @property
    def largest(self) -> ImageVariant:
        return self.variants[-1]


class ImageProblem(Exception):
    """A picture the page names cannot be used; the message says why in plain words."""


def image_name(src: str) -> str | None:
    """The file name inside content/images that a Markdown image points at, or None for another site's.

    Accepts "pothole.jpg", "images/pothole.jpg" and "/images/pothole.jpg".
    """
    if re.match(r"^(?:[a-z]+:)?//", src, re.IGNORECASE) or src.startswith(("data:", "http:", "https:")):
        return None
    name = src.strip().lstrip("/")
    name = name.removeprefix(f"{FOLDER}/")
    return name


class ImageLibrary:
    """The originals in `source`, their derived files in `derived` (None: only check, never build)."""

    def __init__(self, source: Path, derived: Path | None, url_prefix: str = "/images"):
        self.source = Path(source)
        self.derived = Path(derived) if derived else None
        self.url_prefix = url_prefix.rstrip("/")
        self._known: dict[str, tuple[tuple[int, int], ImageVariants]] = {}  # name -> (stamp, variants)
        self._by_digest: dict[str, Path] = {}
        self._lock = threading.Lock()

    def stamp(self) -> str:
        """Changes whenever a picture is added, changed or removed (for caches of rendered pages)."""
        if not self.source.is_dir():
            return ""
        parts = []
        for path in sorted(self.source.rglob("*")):
            if path.is_file():
                status = path.stat()
                parts.append(f"{path.relative_to(self.source)}:{status.st_mtime_ns}:{status.st_size}")
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    def lookup(self, name: str) -> ImageVariants:
        """The picture `name` (relative to content/images), built if needed; ImageProblem when it cannot be used."""
        path = (self.source / name).resolve()
        if not path.is_relative_to(self.source.resolve()) or not path.is_file():
            raise ImageProblem(f'The picture "{name}" is not in the images folder. Check the spelling of its '
                               f"file name, and that the file is in content/{FOLDER}/")
        if path.suffix.lower() not in EXTENSIONS:
            raise ImageProblem(f'"{name}" is not a picture we can show. Use a .jpg, .png, .webp or .gif file')
        status = path.stat()
        stamp = (status.st_mtime_ns, status.st_size)
        with self._lock:
            known = self._known.get(name)
            if known and known[0] == stamp:
                return known[1]
        variants = self._describe(name, path)
        with self._lock:
            self._known[name] = (stamp, variants)
            self._by_digest[variants.digest] = path
        if self.derived is not None:
            self.build(variants.digest)
        return variants

    def _describe(self, name: str, path: Path) -> ImageVariants:
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:DIGEST_LENGTH]
        try:
            with Image.open(path) as image:
                image = ImageOps.exif_transpose(image)
                width, height = image.size
                transparent = _has_transparency(image)
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
            raise ImageProblem(f'The picture "{name}" could not be opened ({type(error).__name__}). '
                               "Save it again as a .jpg or .png file") from None
        fallback = "png" if transparent else "jpg"
        stem = _stem(path)
        variants = []
        for target in _widths(width):
            scaled = max(1, round(height * target / width))
            base = f"{self.url_prefix}/{digest}/{stem}-{target}"
            variants.append(ImageVariant(target, scaled, f"{base}.webp", f"{base}.{fallback}"))
        return ImageVariants(name, width, height, f"image/{'png' if transparent else 'jpeg'}", tuple(variants), digest)

    # --- derived files ---------------------------------------------------------------------------

    def build(self, digest: str) -> Path | None:
        """Make the derived files of the picture with this digest, if they are not there yet (atomic)."""
        if self.derived is None:
            return None
        final = self.derived / digest
        if final.is_dir():
            return final
        source = self._by_digest.get(digest)
        if source is None:
            return None
        self.derived.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(prefix=".building-", dir=self.derived))
        try:
            _write_variants(source, temporary)
            temporary.chmod(0o755)
            try:
                os.rename(temporary, final)
            except OSError:  # another worker built it first
                shutil.rmtree(temporary, ignore_errors=True)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        return final

    def file_for(self, digest: str, filename: str) -> Path | None:
        """The derived file a picture address names, or None (a made-up or old address)."""
        if self.derived is None or not _DIGEST.match(digest) or not _DERIVED_NAME.match(filename):
            return None
        folder = self.build(digest) if not (self.derived / digest).is_dir() else self.derived / digest
        if folder is None:
            return None
        path = folder / filename
        return path if path.is_file() else None


def _stem(path: Path) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")[:60] or "picture"


def _widths(original: int) -> list[int]:
    widths = [width for width in WIDTHS if width < original]
    return widths + [min(original, WIDTHS[-1])] if not widths or widths[-1] != min(original, WIDTHS[-1]) else widths


def _has_transparency(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)


def _write_variants(source: Path, folder: Path) -> None:
    with Image.open(source) as opened:
        image = ImageOps.exif_transpose(opened)
        image.load()
    transparent = _has_transparency(image)
    image = image.convert("RGBA" if transparent else "RGB")
    stem = _stem(source)
    for width in _widths(image.width):
        height = max(1, round(image.height * width / image.width))
        scaled = image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS)
        scaled.save(folder / f"{stem}-{width}.webp", "WEBP", quality=WEBP_QUALITY, method=4)
        if transparent:
            scaled.save(folder / f"{stem}-{width}.png", "PNG", optimize=True)
        else:
            scaled.save(folder / f"{stem}-{width}.jpg", "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
