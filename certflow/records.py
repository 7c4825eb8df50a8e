"""`certflow audit …`: the audit trail as evidence (verify the chains, fix and list the daily anchors)."""

from __future__ import annotations

import argparse
import json
import sys
import time

from certflow.errors import CliError

EXIT_BROKEN = 1


def _progress(started: float):  # noqa: ANN202
    def show(done: int, total: int) -> None:
        rate = done / max(time.monotonic() - started, 1e-6)
        sys.stderr.write(f"\rchecked {done:,} of {total:,} entries ({rate:,.0f}/s)")
        sys.stderr.flush()
    return show


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from certflow.bootstrap import prepare
    from models.db import session_scope
    from tasks.evidence import UnknownChain, verify

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
    from tasks.evidence import anchor_view, make_anchor

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
    from tasks.evidence import anchor_view, recent_anchors

    settings = args.settings
    prepare(settings)
    with session_scope(settings.database_url, readonly=True) as session:
        views = [anchor_view(a) for a in recent_anchors(session, limit=args.limit)]
    if args.json:
        print(json.dumps(views, ensure_ascii=False, indent=2))
        return 0
    for view in views:
        print(f"{view['anchored_on']}  entries {view['entries']:,} (to #{view['last_event_id']})  {view['anchor_hash']}")
    if not views:
        print("no anchor yet: the tick makes one a day, or run `certflow audit anchor`")
    return 0


def register(sub, data_dir_option) -> None:  # noqa: ANN001
    audit = sub.add_parser("audit", help="the audit trail as evidence: verify its hash chains, daily anchors")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    p = audit_sub.add_parser("verify", help="recompute the hash chains; exit 1 naming the first broken link")
    p.add_argument("--case", metavar="TYPE:ID", help="only this case's chain, e.g. filing:12 (anchors are checked "
                                                     "only with the whole trail)")
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
