"""Uploaded files of a case: filing materials (and their corrections), a plan's evidence, a
rectification's proof. A file is taken only while its case asks for it, typed by its content, kept
under its SHA-256 and never replaced: a correction is a new file in the case's next round."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import quote

from sqlmodel import Session, col, select

from core.settings import Settings
from models import responses as out
from models.accounts import User
from models.case_kinds import FINISHED_PLANS
from models.cases import FilingMaterial
from models.clock import business_instant
from models.db import insert_once
from models.integration import CaseFile
from policy.eligibility import FILING_MATERIALS, Violation
from policy.filetypes import JPEG, PDF, PNG, detect, safe_filename
from tasks.adapters import filestore
from tasks.cases import supervision  # noqa: F401 (retention: its guard on deleting a file)
from tasks.errors import Conflict, NotFound, Problems, TooLarge
from tasks.people import access
from tasks.records import audit

# what each kind of case takes, with the label officers see
KINDS: dict[str, dict[str, str]] = {
    "filing": FILING_MATERIALS,
    "plan": {"training_evidence": "培训证明材料", "video_monitoring_statement": "视频监控情况说明",
             "site_photos": "考核现场照片", "evaluation_records": "考评记录"},
    "supervision": {"rectification_report": "整改报告", "rectification_evidence": "整改佐证材料"},
}
LABELS = {kind: label for kinds in KINDS.values() for kind, label in kinds.items()}


@dataclass(frozen=True)
class Stored:
    file: CaseFile
    created: bool  # False: the same bytes were already on file for this kind and round (a repeat)


def read_limited(stream: BinaryIO, limit: int) -> bytes:
    """The upload's bytes, refused once past the limit (without reading the rest)."""
    content = stream.read(limit + 1)
    if len(content) > limit:
        raise TooLarge(f"文件超过 {limit // (1024 * 1024)} MB 上限 / the file is larger than {limit} bytes "
                       f"(CERTFLOW_FILE_MAX_BYTES)")
    return content


MAX_IMAGE_PIXELS = 60_000_000  # a 600 dpi A3 scan is about 70 MP in colour; 60 MP keeps a bomb out of memory


def structure_problem(content: bytes, media_type: str) -> str | None:
    """Why `content` is not really the type its first bytes say, or None: a PDF must parse (pypdf) with at
    least one page and nothing but padding after its last %%EOF; a JPEG or PNG must decode (Pillow) within
    MAX_IMAGE_PIXELS. "%PDF-" in front of a web page is not a PDF."""
    if media_type == PDF:
        return _pdf_problem(content)
    if media_type in (JPEG, PNG):
        return _image_problem(content)
    return None


def _pdf_problem(content: bytes) -> str | None:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    end = content.rfind(b"%%EOF")
    if end < 0 or content[end + 5:].strip(b"\r\n\t \x00"):
        return "PDF 文件不完整或末尾附有其他内容 / not a whole PDF (something follows its end, or it has none)"
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings about a damaged file are our answer
    try:
        pages = len(PdfReader(io.BytesIO(content), strict=False).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
            AssertionError, OverflowError) as exc:
        return f"PDF 文件无法解析 / the PDF does not parse ({type(exc).__name__})"
    return None if pages else "PDF 文件没有页面 / the PDF has no page"


def _image_problem(content: bytes) -> str | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                return f"图片过大（{image.width}×{image.height}）/ the image has more than {MAX_IMAGE_PIXELS:,} pixels"
            image.load()  # decodes every pixel: a truncated or forged body fails here
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        return f"图片无法解码 / the image does not decode ({type(exc).__name__})"
    return None


def _kind_problems(case_type: str, kind: str) -> list[Violation]:
    if kind in KINDS[case_type]:
        return []
    known = ", ".join(KINDS[case_type])
    return [Violation("file.kind", "kind", f"未知的材料类别 {kind!r} / unknown kind; one of: {known}")]


def _open_round(session: Session, user: User, case_type: str, case_id: int) -> int:
    """The round the case takes files in now, or why it takes none (409); not the caller's → 404."""
    if user.role != "enterprise":
        raise NotFound(f"{case_type} {case_id} does not exist")  # files come from the institution itself
    if case_type == "filing":
        filing = access.visible_filing(session, user, case_id)
        if filing.status == "awaiting_resubmission":
            return filing.deficiency_rounds  # the corrections answer the latest notice
        if filing.status in ("submitted", "city_recommendation", "in_acceptance") and filing.deficiency_rounds == 0:
            return 0
        raise Conflict(
            f"备案 {case_id} 当前不接收材料（{filing.current_step}） / filing {case_id} takes files while it "
            f"is filed and while a deficiency notice awaits the resubmission, not at {filing.current_step}"
        )
    if case_type == "plan":
        plan = access.visible_plan(session, user, case_id)
        if plan.status in FINISHED_PLANS:
            raise Conflict(f"plan {case_id} is {plan.status}: its files are closed")
        return plan.results_submissions
    _case, pending, _today = supervision.awaited(session, user, case_id, "rectification")
    return supervision.numbered(pending["round"])  # evidence answers rectification order N (from 1)


def store(
    session: Session,
    settings: Settings,
    *,
    user: User,
    case_type: str,
    case_id: int,
    kind: str,
    filename: str | None,
    content: bytes,
) -> Stored:
    """Take one file for the case's open round: typed by content, stored under its hash, recorded."""
    if case_type not in KINDS:
        raise NotFound(f"no files for {case_type}")
    round_no = _open_round(session, user, case_type, case_id)
    problems = _kind_problems(case_type, kind)
    detected = detect(content)
    media_type = detected.media_type
    if media_type is None:
        problems.append(Violation("file.type", "file", detected.reason))
    elif (broken := structure_problem(content, media_type)) is not None:
        problems.append(Violation("file.structure", "file", broken))
    if problems or media_type is None:
        raise Problems(problems)
    sha256 = filestore.digest(content)

    def on_file() -> CaseFile | None:
        return session.exec(
            select(CaseFile).where(
                CaseFile.case_type == case_type,
                CaseFile.case_id == case_id,
                CaseFile.round == round_no,
                CaseFile.kind == kind,
            )
        ).first()

    existing = on_file()
    if existing is None:
        store_ = filestore.for_settings(settings)
        store_.put(sha256, content)  # before the row: a failed commit leaves an unreferenced blob, not a dangling row
        record = CaseFile(
            case_type=case_type,
            case_id=case_id,
            round=round_no,
            kind=kind,
            sha256=sha256,
            size=len(content),
            media_type=media_type,
            filename=safe_filename(filename, media_type),
            storage=store_.kind,
            uploaded_by=user.id,
            uploaded_at=business_instant(session),
        )
        kept, inserted = insert_once(session, record, on_file)  # a concurrent twin may have won the key
        if inserted:
            return _recorded(session, user, record)
        existing = kept
    if existing.sha256 == sha256:
        return Stored(existing, created=False)
    raise Conflict(
        f"第 {round_no} 轮已有 {kind} 文件，已上传的文件不可替换 / round {round_no} already has a {kind} file "
        f"(sha256 {existing.sha256[:12]}…); an uploaded file is never replaced — a correction goes "
        f"into the next round"
    )


def _recorded(session: Session, user: User, record: CaseFile) -> Stored:
    """A new file's checklist entry (filings) and audit entry."""
    if record.case_type == "filing":
        _attach_material(session, record)
    audit.record(
        session,
        case_type=record.case_type,
        case_id=record.case_id,
        action="file_uploaded",
        actor_id=user.id,
        actor_role=user.role,
        after={
            "file_id": record.id,
            "kind": record.kind,
            "round": record.round,
            "sha256": record.sha256,
            "size": record.size,
            "media_type": record.media_type,
        },
    )
    return Stored(record, created=True)


def _attach_material(session: Session, file: CaseFile) -> None:
    """The checklist's entry for the file: declared already (its digest must match), or added."""
    filing_id, round_no, kind, sha256 = file.case_id, file.round, file.kind, file.sha256
    material = session.exec(
        select(FilingMaterial).where(
            FilingMaterial.filing_id == filing_id, FilingMaterial.round == round_no, FilingMaterial.kind == kind
        )
    ).first()
    if material is None:
        material = FilingMaterial(
            filing_id=filing_id, round=round_no, kind=kind, title=LABELS[kind], submitted_at=business_instant(session)
        )
    elif material.sha256 and material.sha256 != sha256:
        raise Problems(
            [
                Violation(
                    "file.sha256",
                    "file",
                    f"材料清单登记的摘要 {material.sha256[:12]}… 与上传文件不符 / the "
                    f"checklist declared another SHA-256 for {kind}",
                )
            ]
        )
    material.sha256 = sha256
    material.uri = f"/api/v1/filings/{filing_id}/materials/{file.id}"
    session.add(material)


def file_view(file: CaseFile, download_path: str) -> out.FileOut:
    return out.FileOut(id=file.id, kind=file.kind, label=LABELS.get(file.kind, file.kind), round=file.round,
        sha256=file.sha256, size=file.size, media_type=file.media_type, filename=file.filename,
        uploaded_at=file.uploaded_at, download=f"{download_path}/{file.id}")


# shown in the officer's browser (issue 28, item 3); anything else stays a download
PREVIEWABLE = frozenset({"application/pdf", "image/png", "image/jpeg"})
# a previewed file is a document of its own, sandboxed: no script, no form, no same-origin access, nothing loaded
PREVIEW_POLICY = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; object-src 'self'"


class Unpreviewable(Conflict):
    """A file of a type the browser is not trusted to show (an OFD, a workbook): a download only."""


def _disposition(kind: str, file: CaseFile) -> str:
    ascii_name = file.filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file.filename)}"


def preview_headers(file: CaseFile) -> dict[str, str]:
    """A PDF or an image opened in the browser for reading, never able to act in our origin (typed by its
    content at upload, so the type sent is the one checked; the middleware adds nosniff)."""
    if file.media_type not in PREVIEWABLE:
        raise Unpreviewable(f"{file.media_type} 文件不能在线预览，请下载后查看 / not previewable: download it")
    return {"Content-Disposition": _disposition("inline", file), "Content-Security-Policy": PREVIEW_POLICY,
            "X-Content-SHA256": file.sha256, "Cache-Control": "private, max-age=0"}


def download_headers(file: CaseFile) -> dict[str, str]:
    """Always a download (never rendered in our origin), with the name in UTF-8 and the digest to check."""
    return {
        "Content-Disposition": _disposition("attachment", file),
        "X-Content-SHA256": file.sha256,
        "Cache-Control": "private, max-age=0",
    }


def files_of(session: Session, case_type: str, case_id: int) -> list[CaseFile]:
    return list(
        session.exec(
            select(CaseFile)
            .where(CaseFile.case_type == case_type, CaseFile.case_id == case_id)
            .order_by(col(CaseFile.round), col(CaseFile.kind), col(CaseFile.id))
        )
    )


def listed(session: Session, user: User, case_type: str, case_id: int, download_path: str) -> list[out.FileOut]:
    """The case's files for whoever sees the case (404 otherwise)."""
    access.visible_case(session, user, case_type, case_id)
    return [file_view(f, download_path) for f in files_of(session, case_type, case_id)]


def open_file(
    session: Session, settings: Settings, user: User, case_type: str, case_id: int, file_id: int
) -> tuple[CaseFile, bytes]:
    """One file's bytes under the case's visibility rule; a file of another case is not found."""
    access.visible_case(session, user, case_type, case_id)
    file = session.get(CaseFile, file_id)
    if file is None or file.case_type != case_type or file.case_id != case_id:
        raise NotFound(f"file {file_id} does not exist")
    content = filestore.for_settings(settings).get(file.sha256)
    if filestore.digest(content) != file.sha256:
        raise Conflict(f"file {file_id}'s stored bytes do not match its SHA-256: the store was altered")
    return file, content
