"""The documents' font: the common Chinese characters cut out of Noto Sans CJK SC once per machine.

Why: WeasyPrint subsets every font it embeds, per PDF. Subsetting from the 19 MB Noto collection
(65,000 glyphs) cost ~90 ms of each certificate; from a 3 MB font holding GB 2312 (6,763 hanzi),
ASCII and CJK punctuation it costs about half (measured by bench/bench_documents.py). Characters
outside that set (a rare name character such as 堃) fall back to the full Noto face in the CSS, so
nothing renders as a box — that certificate just embeds a second font.

Building takes ~20 s (the CFF table is recompiled), so the result is cached under the user's cache
folder, keyed by the source font file and this module's version; `scripts/setup` builds it ahead.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
from pathlib import Path

SUBSET_VERSION = "2"
FAMILY = "Certflow Sans"
SOURCE_FAMILY = "Noto Sans CJK SC"

log = logging.getLogger(__name__)


def common_characters() -> set[int]:
    """GB 2312 (levels 1 and 2), printable ASCII, CJK symbols and punctuation, full-width forms."""
    characters: set[int] = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                characters.add(ord(bytes([high, low]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    characters |= set(range(0x20, 0x7F)) | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    return characters


def source_font() -> tuple[Path, int] | None:
    """Where fontconfig finds Noto Sans CJK SC (file and index in the collection), or None."""
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}:%{index}", SOURCE_FAMILY], capture_output=True,
                               text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    file, _, index = found.rpartition(":")
    path = Path(file)
    if not path.exists() or "NotoSansCJK" not in path.name.replace(" ", ""):
        return None  # fontconfig substituted another family: render with whatever it picks
    return path, int(index or 0)


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "certflow" / "fonts"


def common_font(build: bool = True) -> Path | None:
    """The cached subset font, built on first use; None when Noto Sans CJK is not installed."""
    source = source_font()
    if source is None:
        return None
    path, index = source
    stat = path.stat()
    key = hashlib.sha256(f"{path}:{index}:{stat.st_size}:{stat.st_mtime_ns}:{SUBSET_VERSION}".encode()).hexdigest()[:16]
    target = cache_folder() / f"certflow-sans-{key}.otf"
    if target.exists() or not build:
        return target if target.exists() else None
    log.warning("building the documents' font once (about 20 s): %s", target)
    _build(path, index, target)
    return target


def _build(source: Path, index: int, target: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source), fontNumber=index, lazy=True)
    options = subset.Options()
    options.name_IDs, options.name_languages = ["*"], ["*"]
    options.notdef_outline, options.hinting = True, False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=common_characters())
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    font.save(str(partial))
    partial.replace(target)  # concurrent builders each write their own file; the last rename wins


def font_face_css() -> str:
    """The @font-face rule for the documents' stylesheet; empty when the subset cannot be had."""
    path = common_font()
    if path is None:
        return ""
    return f'@font-face {{ font-family: "{FAMILY}"; src: url("{path.as_uri()}"); }}\n'


if __name__ == "__main__":  # scripts/setup: build ahead so the first certificate does not wait
    logging.basicConfig(level=logging.INFO, format="setup: %(message)s")
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    built = common_font()
    print(f"setup: documents' font {built or 'unavailable (Noto Sans CJK SC is not installed)'}")
