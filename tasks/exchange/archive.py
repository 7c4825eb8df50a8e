"""A case's electronic archive (电子档案): one ZIP with the case as the system shows it to the centre, its
timeline, every document, the uploaded materials, the audit entries with their hashes, and a manifest of
SHA-256 sums; and the check of such a ZIP. Offline (no database) it checks the files against the manifest,
each material against the SHA-256 its upload recorded in the hash-chained audit entries, and the chain
against the manifest's head; against the records it also finds that head in the database's chain and the
manifest's digest among the exports recorded there — so a forger who rewrites a material, its audit entry,
the chain and the manifest still fails."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from core import evidence
from core.clock import wall_now
from core.settings import Settings
from models.accounts import User
from models.audit import AuditChain, AuditEvent
from models.cases import Certificate, DeficiencyNotice, EvaluationPlan, FilingApplication
from models.db import session_scope
from tasks.adapters import filestore
from tasks.cases import files
from tasks.errors import NotFound
from tasks.exchange import documents
from tasks.people import access
from tasks.queries import views
from tasks.records import audit

FORMAT = "certflow-case-archive/1"
MANIFEST = "manifest.json"
AUDIT = "audit.json"
Progress = Callable[[str], None]
CENTRE_ROLES = ("officer", "operations", "admin")


class ArchiveProblem(ValueError):
    pass


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode()


def _safe(name: str) -> str:
    """A member name from user input (an uploaded file's name): no folders, no control characters."""
    return re.sub(r"[\x00-\x1f/\\:]+", "_", name).strip(". ") or "file"


def audit_entries(session: Session, case_type: str, case_id: int, *, up_to: int) -> list[dict[str, Any]]:
    """The case's chain up to position `up_to` (its head when read: a later entry is for a later archive)."""
    rows = session.execute(select(*[getattr(AuditEvent, c) for c in ("id", *evidence.ENTRY_FIELDS, "entry_hash")])
                           .where(AuditEvent.case_type == case_type, AuditEvent.case_id == case_id,
                                  col(AuditEvent.seq) <= up_to)
                           .order_by(AuditEvent.seq, AuditEvent.id)).mappings().all()
    return [{**row, "business_time": evidence.instant(row["business_time"]),
             "wall_time": evidence.instant(row["wall_time"])} for row in rows]


def _documents(session: Session, settings: Settings, case: FilingApplication | EvaluationPlan, case_type: str,
               progress: Progress) -> tuple[dict[str, bytes], list[str]]:
    found: dict[str, bytes] = {}
    left_out: list[str] = []
    if isinstance(case, FilingApplication):
        if case.receipt_number:
            found["documents/receipt.pdf"] = documents.receipt_pdf(session, case, settings=settings)
        for notice in session.exec(select(DeficiencyNotice).where(DeficiencyNotice.filing_id == case.id)
                                   .order_by(col(DeficiencyNotice.round))):
            number = notice.round + 1
            found[f"documents/notice-{number}.pdf"] = documents.notice_pdf(session, case, number,
                                                                            settings=settings)
        return found, left_out
    certificates = session.exec(select(Certificate).where(Certificate.plan_id == case.id)
                                .order_by(col(Certificate.id))).all()
    for n, certificate in enumerate(certificates, 1):
        if certificate.status == "pending":  # not a certificate until the national system acknowledged it
            left_out.append(f"certificate {certificate.number}: awaiting the national system's acknowledgement")
            continue
        found[f"documents/certificates/{certificate.number}.pdf"] = documents.certificate_pdf(
            session, number=certificate.number, settings=settings)
        if n % 100 == 0:
            progress(f"certificates: {n} of {len(certificates)}")
    return found, left_out


def build(session: Session, settings: Settings, *, user: User, case_type: str, case_id: int,
          progress: Progress = lambda _: None) -> tuple[bytes, str]:
    """The archive of a filing or a plan the user may see, and the SHA-256 of its manifest. It is the
    centre's record (who decided what, the objectors, the panel): for officers, operations and admins."""
    if user.role not in CENTRE_ROLES:
        raise NotFound(f"{case_type} {case_id} does not exist")
    case: FilingApplication | EvaluationPlan
    if case_type == "filing":
        case = filing = access.visible_filing(session, user, case_id)
        view = views.filing_view(session, filing, viewer=user).model_dump(mode="json")
    else:
        case = plan = access.visible_plan(session, user, case_id)
        view = views.plan_view(session, plan, viewer=user).model_dump(mode="json")
    head = session.get(AuditChain, f"{case_type}:{case_id}")  # first: entries committed after it wait
    members: dict[str, bytes] = {"case.json": _json(view), "timeline.json": _json(view.get("history") or [])}
    progress("documents")
    found, left_out = _documents(session, settings, case, case_type, progress)
    members |= found
    store = filestore.for_settings(settings)
    for file in files.files_of(session, case_type, case_id):
        content = store.get(file.sha256)
        if filestore.digest(content) != file.sha256:
            left_out.append(f"material {file.id} ({file.filename}): the stored bytes no longer match its SHA-256")
            continue
        members[f"materials/round-{file.round}/{file.kind}-{file.id}-{_safe(file.filename)}"] = content
    members[AUDIT] = _json(audit_entries(session, case_type, case_id, up_to=head.length if head else 0))
    manifest = {
        "format": FORMAT, "case": {"type": case_type, "id": case_id}, "exported_at": wall_now().isoformat(),
        "exported_by": {"id": user.id, "name": user.name, "role": user.role},
        "audit_chain_head": {"length": head.length, "hash": head.head_hash} if head else None,
        "left_out": left_out,
        "files": [{"path": name, "sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
                  for name, content in sorted(members.items())],
    }
    manifest_bytes = _json(manifest)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(members.items()):
            archive.writestr(name, content)
        archive.writestr(MANIFEST, manifest_bytes)
    return buffer.getvalue(), hashlib.sha256(manifest_bytes).hexdigest()


def export(session: Session, settings: Settings, *, user: User, case_type: str, case_id: int,
           progress: Progress = lambda _: None) -> tuple[bytes, str]:
    """build(), then the export recorded on the case's chain (in its own short write transaction) with the
    manifest's digest and the head it covers: what `verify --records` finds again."""
    content, digest = build(session, settings, user=user, case_type=case_type, case_id=case_id, progress=progress)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(content)).read(MANIFEST))
    with session_scope(settings.database_url) as writing:
        audit.record(writing, case_type=case_type, case_id=case_id, action="archive_exported", actor_id=user.id,
                     actor_role=user.role, after={"manifest_sha256": digest,
                                                  "audit_chain_head": manifest["audit_chain_head"]})
    return content, digest


def archive_name(case_type: str, case_id: int, today: dt.date) -> str:
    return f"{case_type}-{case_id}-archive-{today.isoformat()}.zip"


MATERIAL = re.compile(r"^materials/round-\d+/[a-z_]+-(\d+)-")


def _unsafe_member(name: str) -> bool:
    """A member name that would land outside the folder it is unpacked into."""
    return name.startswith(("/", "\\")) or ".." in re.split(r"[/\\]", name) or bool(re.match(r"^[A-Za-z]:", name))


def verify(path: Path | io.BytesIO) -> tuple[dict[str, Any], list[str]]:
    """Check an archive offline: every file against the manifest, nothing added or missing, no member
    name leaving the archive's folder, each material against the SHA-256 its upload recorded in the audit
    entries, the audit entries' chain and its head. Returns the manifest and the problems found (none: it
    holds); raises ArchiveProblem (one line) when it is not a readable certflow archive at all."""
    try:
        with zipfile.ZipFile(path) as archive:
            return _verified(archive)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, ValueError) as exc:
        if isinstance(exc, ArchiveProblem):
            raise
        raise ArchiveProblem(f"not a readable ZIP archive: {type(exc).__name__}: {exc}") from None


def _verified(archive: zipfile.ZipFile) -> tuple[dict[str, Any], list[str]]:
    problems: list[str] = []
    names = set(archive.namelist())
    problems += [f"{name}: a member name outside the archive's folder (absolute or with ..)"
                 for name in sorted(names) if _unsafe_member(name)]
    if MANIFEST not in names:
        raise ArchiveProblem("no manifest.json: not a certflow case archive")
    try:
        manifest = json.loads(archive.read(MANIFEST))
        listed = {f["path"]: f for f in manifest["files"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise ArchiveProblem(f"manifest.json is not readable: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise ArchiveProblem(f"unknown archive format {manifest.get('format')!r}")
    for name in sorted(names - set(listed) - {MANIFEST}):
        problems.append(f"{name}: in the archive but not in the manifest (added afterwards)")
    contents: dict[str, bytes] = {}
    for name, entry in sorted(listed.items()):
        if name not in names:
            problems.append(f"{name}: in the manifest but missing from the archive")
            continue
        contents[name] = archive.read(name)
        if hashlib.sha256(contents[name]).hexdigest() != entry.get("sha256") or len(contents[name]) != entry.get(
                "size"):
            problems.append(f"{name}: its SHA-256 does not match the manifest (changed afterwards)")
    entries: list[dict[str, Any]] = []
    if AUDIT in contents:
        try:
            entries = json.loads(contents[AUDIT])
            problems += _audit_problems(entries, manifest.get("audit_chain_head"))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            problems.append(f"audit.json: not a list of audit entries ({type(exc).__name__}: {exc})")
            entries = []
    elif manifest.get("audit_chain_head"):
        problems.append("audit.json: missing, though the manifest names a chain head")
    problems += _material_problems(contents, entries if isinstance(entries, list) else [])
    return manifest, problems


def _material_problems(contents: dict[str, bytes], entries: list[dict[str, Any]]) -> list[str]:
    """Each material against its upload's audit entry (part of the hash chain): a material swapped and the
    manifest's sums recomputed is caught here."""
    uploaded = {}
    for entry in entries:
        after = entry.get("after") if isinstance(entry, dict) else None
        if isinstance(entry, dict) and entry.get("action") == "file_uploaded" and isinstance(after, dict):
            uploaded[str(after.get("file_id"))] = (after, entry.get("seq"))
    problems = []
    for name, content in sorted(contents.items()):
        match = MATERIAL.match(name)
        if not match:
            continue
        recorded = uploaded.get(match.group(1))
        if recorded is None:
            problems.append(f"{name}: no upload of file {match.group(1)} in audit.json")
        elif hashlib.sha256(content).hexdigest() != recorded[0].get("sha256"):
            problems.append(f"{name}: its SHA-256 differs from the one its upload recorded in the audit trail "
                            f"(entry {recorded[1]})")
    return problems


def manifest_sha256(path: Path | io.BytesIO) -> str:
    with zipfile.ZipFile(path) as archive:
        return hashlib.sha256(archive.read(MANIFEST)).hexdigest()


def records_problems(session: Session, manifest: dict[str, Any], digest: str) -> list[str]:
    """The archive against the database it came from: its chain head is the case's entry at that position,
    and its manifest's digest was recorded when it was exported."""
    case = manifest.get("case") or {}
    head = manifest.get("audit_chain_head")
    problems = []
    if head:
        stored = session.exec(select(AuditEvent.entry_hash).where(AuditEvent.case_type == case.get("type"),
                                                                  AuditEvent.case_id == case.get("id"),
                                                                  AuditEvent.seq == head.get("length"))).first()
        if stored != head.get("hash"):
            problems.append(f"manifest.json: the chain head ({head.get('length')} entries, {head.get('hash')}) is not "
                            f"the one in the records ({stored or 'no such entry'})")
    exports = session.exec(select(AuditEvent.after).where(AuditEvent.case_type == case.get("type"),
                                                          AuditEvent.case_id == case.get("id"),
                                                          AuditEvent.action == "archive_exported")).all()
    if not any(isinstance(after, dict) and after.get("manifest_sha256") == digest for after in exports):
        problems.append(f"manifest.json: its SHA-256 {digest} was never exported by this system "
                        "(a manifest written afterwards)")
    return problems


def _audit_problems(entries: list[dict[str, Any]], head: dict[str, Any] | None) -> list[str]:
    checker = evidence.ChainChecker()
    for entry in entries:
        checker.feed(entry["id"], entry, entry.get("entry_hash"))
    recorded = []
    if head and entries:
        recorded = [(f"{entries[0]['case_type']}:{entries[0]['case_id']}", head["length"], head["hash"])]
    found = checker.finish(recorded)
    return [f"audit.json: {found}"] if found else []
