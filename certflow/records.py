"""`certflow audit …`: the audit trail as evidence (verify the chains, fix and list the daily anchors);
`certflow archive …`: a case's archive as one ZIP, and its offline check; `certflow retention …`: what may be
purged after its retention period, the purge of exactly that, legal holds."""

from __future__ import annotations

import argparse
import json
import sys
import time

from certflow.errors import CliError

EXIT_BROKEN = 1


def _positive_id(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 2**63 - 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a case id (a positive whole number)")
    return int(text)


def _progress(started: float):
    def show(done: int, total: int) -> None:
        rate = done / max(time.monotonic() - started, 1e-6)
        sys.stderr.write(f"\rchecked {done:,} of {total:,} entries ({rate:,.0f}/s)")
        sys.stderr.flush()
    return show


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from certflow.bootstrap import prepare
    from models.db import session_scope
    from tasks.records.evidence import UnknownChain, verify

    settings = args.settings
    prepare(settings)
    started = time.monotonic()
    try:
        with session_scope(settings.database_url, readonly=True) as session:
            checked, found = verify(session, chain=args.case, progress=_progress(started))
    except UnknownChain as exc:
        raise CliError(str(exc)) from None
    sys.stderr.write("\n")
    scope = args.case or "every chain"
    if found is not None:
        print(f"BROKEN: {found}")
        print(f"checked {checked:,} entries of {scope} in {time.monotonic() - started:.1f} s; the first broken "
              "link is above")
        return EXIT_BROKEN
    print(f"OK: {scope} holds — {checked:,} entries checked in {time.monotonic() - started:.1f} s")
    return 0


def cmd_audit_anchor(args: argparse.Namespace) -> int:
    from certflow.bootstrap import prepare
    from models.db import session_scope
    from tasks.records.evidence import anchor_view, make_anchor

    settings = args.settings
    prepare(settings)
    with session_scope(settings.database_url) as session:
        anchor = make_anchor(session)
        view = anchor_view(anchor) if anchor else None
    if view is None:
        print("today's anchor exists already (`certflow audit anchors` lists it)")
        return 0
    print(f"{view['anchored_on']}  entries {view['entries']:,} (to #{view['last_event_id']})  {view['anchor_hash']}")
    return 0


def cmd_audit_anchors(args: argparse.Namespace) -> int:
    from certflow.bootstrap import prepare
    from models.db import session_scope
    from tasks.records.evidence import anchor_view, recent_anchors

    settings = args.settings
    prepare(settings)
    with session_scope(settings.database_url, readonly=True) as session:
        views = [anchor_view(a) for a in recent_anchors(session, limit=args.limit)]
    if args.json:
        print(json.dumps(views, ensure_ascii=False, indent=2))
        return 0
    for view in views:
        print(
            f"{view['anchored_on']}  entries {view['entries']:,} (to #{view['last_event_id']})  {view['anchor_hash']}"
        )
    if not views:
        print("no anchor yet: the tick makes one a day, or run `certflow audit anchor`")
    return 0


def cmd_archive_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from certflow.bootstrap import prepare
    from models.accounts import User
    from models.clock import business_today
    from models.db import session_scope
    from tasks.errors import NotFound
    from tasks.exchange import archive

    settings = args.settings
    prepare(settings)
    case_type, case_id = ("filing", args.filing) if args.filing else ("plan", args.plan)
    operator = User(name="certflow archive export (command line)", role="admin")  # whoever runs it holds the data
    try:
        with session_scope(settings.database_url, readonly=True) as session:
            content, digest = archive.export(
                session,
                settings,
                user=operator,
                case_type=case_type,
                case_id=case_id,
                progress=lambda step: print(f"  … {step}", file=sys.stderr),
            )
            name = archive.archive_name(case_type, case_id, business_today(session))
    except NotFound as exc:
        raise CliError(str(exc)) from None
    target = Path(args.out) if args.out else settings.data_dir / "archives" / name
    if target.exists():
        raise CliError(f"{target} exists already: choose another --out")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(content)
    partial.rename(target)
    print(f"{target}  ({len(content) / 1e6:.2f} MB)  manifest SHA-256 {digest}")
    return 0


def cmd_archive_verify(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tasks.exchange.archive import ArchiveProblem, manifest_sha256, records_problems, verify

    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    try:
        manifest, problems = verify(path)
    except ArchiveProblem as exc:
        print(f"BROKEN: {path}: {exc}")
        return EXIT_BROKEN
    if args.records:
        from certflow.bootstrap import prepare
        from models.db import session_scope

        settings = args.settings
        prepare(settings)
        with session_scope(settings.database_url, readonly=True) as session:
            problems += records_problems(session, manifest, manifest_sha256(path))
    case = manifest["case"]
    for problem in problems:
        print(f"BROKEN: {problem}")
    if problems:
        return EXIT_BROKEN
    head = manifest.get("audit_chain_head") or {}
    print(
        f"OK: {case['type']} {case['id']} — {len(manifest['files'])} files match the manifest and the materials "
        f"their uploads' audit entries; the audit chain holds ({head.get('length', 0)} entries, head "
        f"{head.get('hash', '-')})"
        + ("; the head and the manifest are this system's records" if args.records else
           " — offline: compare the head with the centre's records, or run with --records on its data folder")
    )
    for note in manifest.get("left_out", []):
        print(f"  left out when exported: {note}")
    return 0


def _case(text: str) -> tuple[str, int]:
    from tasks.records.evidence import UnknownChain, parse_chain

    try:
        return parse_chain(text)
    except UnknownChain as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_retention_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from certflow.bootstrap import prepare
    from models.db import session_scope
    from tasks.records import retention

    settings = args.settings
    prepare(settings)
    with session_scope(settings.database_url, readonly=True) as session:
        found = retention.report(session).model_dump(mode="json")  # the report as the API answers it
    if args.out:
        Path(args.out).write_text(json.dumps(found, ensure_ascii=False, indent=2), encoding="utf-8")
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=2))
        return 0
    print(
        f"retention as of {found['as_of']}: {len(found['purgeable'])} cases may be purged, {len(found['held'])} "
        f"held past their period, {found['kept']} kept within it"
    )
    for row in found["purgeable"]:
        print(
            f"  purge  {row['case_type']}:{row['case_id']}  {len(row['files'])} files, {row['bytes']:,} bytes — "
            f"{row['reason']}"
        )
    for row in found["held"]:
        print(f"  held   {row['case_type']}:{row['case_id']}  {len(row['files'])} files — {row['reason']}")
    if args.out:
        print(f"written to {args.out}: `certflow retention purge {args.out}` removes exactly what it lists")
    return 0


def cmd_retention_purge(args: argparse.Namespace) -> int:
    from pathlib import Path

    from certflow.bootstrap import prepare
    from models.db import session_scope
    from tasks.adapters import filestore
    from tasks.errors import NotFound
    from tasks.records import retention

    try:
        listed = json.loads(Path(args.report).read_text(encoding="utf-8"))["purgeable"]
        assert all({"case_type", "case_id", "files"} <= set(row) for row in listed)
    except (OSError, ValueError, KeyError, TypeError, AssertionError) as exc:
        raise CliError(f"{args.report} is not a report of `certflow retention report --out`: {exc}") from None
    settings = args.settings
    prepare(settings)
    try:
        with session_scope(settings.database_url) as session:
            done = retention.purge(session, listed=listed, actor=args.by)
    except NotFound as exc:
        raise CliError(f"{exc}; nothing was purged") from None
    store = filestore.for_settings(settings)
    for digest in done["unused_digests"]:  # after the commit: a rolled-back purge keeps every byte
        store.delete(digest)
    for row in done["removed"]:
        print(f"purged {row['case_type']}:{row['case_id']}: {len(row['files'])} files")
    for row in done["skipped"]:
        print(f"kept   {row['case_type']}:{row['case_id']}: {row['reason']}")
    print(
        f"{len(done['removed'])} cases purged, {len(done['skipped'])} kept; {len(done['unused_digests'])} stored "
        "files removed"
    )
    return 0


def cmd_retention_hold(args: argparse.Namespace) -> int:
    from certflow.bootstrap import prepare
    from models.db import session_scope
    from tasks.errors import Conflict, NotFound
    from tasks.records import retention

    settings = args.settings
    prepare(settings)
    try:
        with session_scope(settings.database_url) as session:
            if args.release:
                hold = retention.release_hold(session, hold_id=args.release, by=args.by)
                print(f"legal hold {hold.id} on {hold.case_type}:{hold.case_id} released")
            else:
                case_type, case_id = args.case
                hold = retention.place_hold(
                    session, case_type=case_type, case_id=case_id, reason=args.reason, by=args.by
                )
                print(f"legal hold {hold.id} placed on {case_type}:{case_id}")
    except (NotFound, Conflict) as exc:
        raise CliError(str(exc)) from None
    return 0


def register(sub, data_dir_option) -> None:
    audit = sub.add_parser("audit", help="the audit trail as evidence: verify its hash chains, daily anchors")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    p = audit_sub.add_parser("verify", help="recompute the hash chains; exit 1 naming the first broken link")
    p.add_argument(
        "--case",
        metavar="TYPE:ID",
        help="only this case's chain, e.g. filing:12 (anchors are checked only with the whole trail)",
    )
    data_dir_option(p)
    p.set_defaults(handler=cmd_audit_verify)
    p = audit_sub.add_parser("anchor", help="fix today's anchor of the global chain now (the tick does it daily)")
    data_dir_option(p)
    p.set_defaults(handler=cmd_audit_anchor)
    p = audit_sub.add_parser("anchors", help="list the latest anchors, to hand to an outside party")
    p.add_argument("--limit", type=int, default=30, choices=range(1, 10_001), metavar="N")
    p.add_argument("--json", action="store_true", help="as JSON")
    data_dir_option(p)
    p.set_defaults(handler=cmd_audit_anchors)
    archives = sub.add_parser("archive", help="a case's archive (电子档案) as one ZIP, and its offline check")
    archives_sub = archives.add_subparsers(dest="archive_command", required=True)
    p = archives_sub.add_parser(
        "export",
        help="write a filing's or a batch's archive (case, timeline, documents, materials, audit entries, manifest)",
    )
    case = p.add_mutually_exclusive_group(required=True)
    case.add_argument("--filing", type=_positive_id, metavar="ID")
    case.add_argument("--plan", type=_positive_id, metavar="ID")
    p.add_argument("--out", metavar="FILE", help="where (default: DATA_DIR/archives/…zip)")
    data_dir_option(p)
    p.set_defaults(handler=cmd_archive_export)
    p = archives_sub.add_parser(
        "verify", help="check an archive offline: files, manifest, audit chain (exit 1 naming what does not hold)"
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--records", action="store_true",
                   help="also check it against this data folder's database: its chain head there, and its manifest "
                        "among the exports recorded")
    data_dir_option(p)
    p.set_defaults(handler=cmd_archive_verify)
    kept = sub.add_parser("retention", help="records retention: what may be purged, the purge, legal holds")
    kept_sub = kept.add_subparsers(dest="retention_command", required=True)
    p = kept_sub.add_parser("report", help="closed cases whose retention period has ended (and those held)")
    p.add_argument("--out", metavar="FILE", help="also write the report as JSON, for `retention purge`")
    p.add_argument("--json", action="store_true", help="print JSON")
    data_dir_option(p)
    p.set_defaults(handler=cmd_retention_report)
    p = kept_sub.add_parser("purge", help="remove exactly the files a report listed, of cases still purgeable")
    p.add_argument("report", metavar="REPORT", help="the JSON written by `retention report --out`")
    p.add_argument("--by", required=True, help="who purges (recorded in each case's audit trail)")
    data_dir_option(p)
    p.set_defaults(handler=cmd_retention_purge)
    p = kept_sub.add_parser("hold", help="place a legal hold on a case, or release one")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--case", type=_case, metavar="TYPE:ID", help="e.g. plan:3")
    target.add_argument("--release", type=_positive_id, metavar="HOLD_ID")
    p.add_argument("--reason", default="", help="why (required to place a hold)")
    p.add_argument("--by", required=True, help="who places or releases it")
    data_dir_option(p)
    p.set_defaults(handler=cmd_retention_hold)
