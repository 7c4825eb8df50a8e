"""What an uploaded file is, judged by its content (never by its name or the type a client claims).

Accepted: PDF, JPEG, PNG, OFD (GB/T 33190, a ZIP with OFD.xml at its root) and XLSX (a ZIP with
[Content_Types].xml and a workbook under xl/). A ZIP that is neither is refused, as is anything else."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

PDF, JPEG, PNG, OFD, XLSX = "application/pdf", "image/jpeg", "image/png", "application/ofd", \
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png", OFD: "ofd", XLSX: "xlsx"}
ACCEPTED_LABEL = "PDF, JPEG, PNG, OFD, XLSX"

_SIGNATURES = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
_ZIP = b"PK\x03\x04"
_SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


@dataclass(frozen=True)
class Detected:
    media_type: str | None  # None: not a type we accept
    reason: str = ""  # why not, for the error message


def detect(content: bytes) -> Detected:
    """The media type `content` really has, or why it is refused."""
    if not content:
        return Detected(None, "文件为空 / the file is empty")
    for signature, media_type in _SIGNATURES:
        if content.startswith(signature):
            return Detected(media_type)
    if content.startswith(_ZIP):
        return _zip_kind(content)
    return Detected(None, f"文件类型不受支持，仅接受 {ACCEPTED_LABEL} / the content is none of {ACCEPTED_LABEL}")


def _zip_kind(content: bytes) -> Detected:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return Detected(None, "ZIP 文件已损坏 / the ZIP container is damaged")
    if "OFD.xml" in names:
        return Detected(OFD)
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return Detected(XLSX)
    return Detected(None, f"压缩包不是 OFD 或 XLSX 文件 / a ZIP that is neither OFD nor XLSX ({ACCEPTED_LABEL} only)")


def safe_filename(name: str | None, media_type: str) -> str:
    """A download name without paths or control characters, ending in the type's real extension."""
    stem = (name or "").replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    stem = _SAFE_NAME.sub("_", stem).strip("._")[:80] or "file"
    return f"{stem}.{EXTENSIONS[media_type]}"
