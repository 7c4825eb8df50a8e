"""The `certflow` command line. Wrong input gets a clear message and exit code 2."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from certflow.errors import CliError

EXIT_USAGE = 2


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a valid date (YYYY-MM-DD)") from None


def _working_days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of working days") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"the number of working days must not be negative (got {value})")
    return value


def _settings(args: argparse.Namespace):
    return args.settings


def _prepared(args: argparse.Namespace):
    from certflow.bootstrap import prepare

    settings = _settings(args)
    prepare(settings)
    return settings


# -- calendar ---------------------------------------------------------------


def cmd_calendar_compute(args: argparse.Namespace) -> int:
    from models.db import session_scope
    from policy.profiles import get_profile
    from policy.working_days import CalendarRangeError
    from tasks.waits.calendar import load_calendar

    settings = _prepared(args)
    start_day_counts = get_profile(args.profile).start_day_counts if args.profile else False
    with session_scope(settings.database_url) as session:
        calendar = load_calendar(session)
    try:
        if args.direction == "add":
            result = calendar.add(args.date, args.n, start_day_counts=start_day_counts)
        else:
            result = calendar.before(args.date, args.n, start_day_counts=start_day_counts)
    except CalendarRangeError as exc:
        raise CliError(str(exc)) from None
    print(result)
    return 0


def cmd_calendar_import(args: argparse.Namespace) -> int:
    from models.db import session_scope
    from policy.working_days import CalendarFileError, parse_calendar_file
    from tasks.waits.timers import import_calendar

    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {path}: {exc}") from None
    try:
        years = parse_calendar_file(text, path.name)
    except CalendarFileError as exc:
        raise CliError(f"{path}: {exc}; nothing was imported") from None
    settings = _prepared(args)
    with session_scope(settings.database_url) as session:
        import_calendar(session, years, imported_by=args.by, now=dt.datetime.now(dt.UTC))
    for year in years:
        print(f"imported {year.year}: {len(year.holidays)} holidays, {len(year.makeup_workdays)} make-up workdays")
    return 0


def cmd_calendar_show(args: argparse.Namespace) -> int:
    from models.db import session_scope
    from tasks.waits.calendar import load_calendar

    settings = _prepared(args)
    with session_scope(settings.database_url) as session:
        calendar = load_calendar(session)
    status = "official" if calendar.is_official(args.year) else "provisional (estimated, no official notice loaded)"
    print(f"{args.year}: {status}")
    day = dt.date(args.year, 1, 1)
    while day.year == args.year:
        weekend = day.weekday() >= 5
        working = calendar.is_working_day(day)
        if working == weekend:
            print(f"  {day} {'workday (调休上班)' if working else 'holiday'}")
        day += dt.timedelta(days=1)
    return 0


# -- occupations ------------------------------------------------------------


def cmd_occupations_import(args: argparse.Namespace) -> int:
    from certflow.bootstrap import store_occupations
    from models.db import session_scope
    from policy.occupations import OccupationFileError, parse_occupation_csv

    path = Path(args.file)
    try:
        occupations = parse_occupation_csv(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {path}: {exc}") from None
    except OccupationFileError as exc:
        raise CliError(f"{path}: {exc}; nothing was imported") from None
    settings = _prepared(args)
    with session_scope(settings.database_url) as session:
        added, updated = store_occupations(session, occupations)
    print(f"occupations: {added} added, {updated} updated")
    return 0


# -- users ------------------------------------------------------------------


def _password(args: argparse.Namespace) -> str | None:
    """A password never comes from the command line (shell history, `ps`): a prompt, or stdin."""
    if args.password_stdin:
        line = sys.stdin.readline()
        if not line:
            raise CliError("--password-stdin: nothing on standard input")
        return line.rstrip("\r\n")
    if args.password_prompt:
        import getpass

        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise CliError("the two passwords differ")
        return first
    return None


def _account_call(call):
    from tasks.people.accounts import AccountError

    try:
        return call()
    except AccountError as exc:
        raise CliError(str(exc)) from None


def cmd_users_add(args: argparse.Namespace) -> int:
    from tasks.people.accounts import create_user

    settings = _prepared(args)
    password = _password(args)
    user, token = _account_call(lambda: create_user(
        settings.database_url, role=args.role, name=args.name, jurisdiction=args.jurisdiction,
        institution_id=args.institution, password=password, days=args.days, label=args.label, card_number=args.card))
    print(token)
    print(f"user {user.id} {user.name} ({user.role}) created; the token above is shown only once", file=sys.stderr)
    return 0


def cmd_users_token(args: argparse.Namespace) -> int:
    from tasks.people.accounts import issue_token

    settings = _prepared(args)
    row, token = _account_call(lambda: issue_token(settings.database_url, name=args.name, days=args.days,
                                                   label=args.label))
    print(token)
    print(f"token {row.id} for {args.name}, valid until {row.expires_at:%Y-%m-%d}; shown only once", file=sys.stderr)
    return 0


def cmd_users_tokens(args: argparse.Namespace) -> int:
    from tasks.people.accounts import list_tokens

    settings = _prepared(args)
    rows = _account_call(lambda: list_tokens(settings.database_url, name=args.name))
    print(f"{'id':>6}  {'created':10}  {'expires':10}  {'state':8}  label")
    now = dt.datetime.now(dt.UTC)
    for row in rows:
        expires = row.expires_at.replace(tzinfo=row.expires_at.tzinfo or dt.UTC) if row.expires_at else None
        state = "revoked" if row.revoked_at else ("expired" if expires and expires <= now else "live")
        print(f"{row.id:>6}  {row.created_at:%Y-%m-%d}  {expires:%Y-%m-%d}  {state:8}  {row.label}"
              if expires else f"{row.id:>6}  {row.created_at:%Y-%m-%d}  {'never':10}  {state:8}  {row.label}")
    return 0


def cmd_users_revoke_token(args: argparse.Namespace) -> int:
    from tasks.people.accounts import revoke_token

    settings = _prepared(args)
    if (args.id is None) == (args.name is None):
        raise CliError("give either --id TOKEN_ID or --name NAME (every token of that user)")
    revoked = _account_call(lambda: revoke_token(settings.database_url, token_id=args.id, name=args.name))
    print(f"revoked {len(revoked)} token(s): {', '.join(map(str, revoked))}")
    return 0


def cmd_users_disable(args: argparse.Namespace) -> int:
    """Offboard a person: tokens revoked, sessions ended, login refused, claims given back, webhooks stopped."""
    from tasks.cases.offboarding import disable_named

    settings = _prepared(args)
    done = _account_call(lambda: disable_named(settings.database_url, name=args.name, reason=args.reason))
    if done.already:
        print(f"{args.name} was disabled already (since {done.disabled_at})")
        return 0
    print(f"{args.name} disabled: {len(done.tokens_revoked)} token(s) revoked, {done.sessions_ended} "
          f"session(s) ended, {len(done.tasks_released)} task(s) given back, {len(done.webhooks_stopped)} "
          f"webhook endpoint(s) stopped")
    return 0


def cmd_users_enable(args: argparse.Namespace) -> int:
    from tasks.cases.offboarding import enable_named

    settings = _prepared(args)
    done = _account_call(lambda: enable_named(settings.database_url, name=args.name))
    print(f"{args.name} was not disabled" if done.already else
          f"{args.name} enabled; its old tokens stay revoked: issue one with `certflow users token --name ...`")
    return 0


def cmd_users_lead(args: argparse.Namespace) -> int:
    from tasks.people.leads import set_lead_named

    settings = _prepared(args)
    changed = _account_call(lambda: set_lead_named(settings.database_url, name=args.name, leads=not args.off))
    what = "no longer leads" if args.off else "leads"
    print(f"{args.name} {what} their centre" + ("" if changed else " already"))
    return 0


def cmd_users_reset_password(args: argparse.Namespace) -> int:
    from tasks.cases.offboarding import reset_password_named

    settings = _prepared(args)
    password = _password(args)
    if password is None:
        raise CliError("give --password-stdin or --password-prompt (never the password as an argument)")
    ended = _account_call(lambda: reset_password_named(settings.database_url, name=args.name, password=password))
    print(f"{args.name}: password changed; {ended} session(s) opened with the old one ended")
    return 0


def cmd_users_bind(args: argparse.Namespace) -> int:
    """注册绑定: an administrator binds an enterprise account to its institution (identity checked)."""
    from sqlmodel import select

    from models.accounts import User
    from models.db import session_scope
    from tasks.errors import NotFound
    from tasks.people.accounts import AccountError, bind_institution

    settings = _prepared(args)
    try:
        with session_scope(settings.database_url) as session:
            user = session.exec(select(User).where(User.name == args.name.strip())).first()
            if user is None:
                raise AccountError(f"no user named {args.name.strip()!r}")
            admin = User(id=None, name="cli", role="admin", created_at=dt.datetime.now(dt.UTC))
            institution = None if args.institution == 0 else args.institution
            bind_institution(session, user_id=user.id, institution_id=institution, actor=admin, reason=args.reason)
    except (AccountError, NotFound) as exc:
        raise CliError(str(exc)) from None
    print(f"{args.name}: institution {args.institution or 'none'}")
    return 0


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0 or value > 2**63 - 1:
        raise argparse.ArgumentTypeError(f"{text} is out of range")
    return value


# -- parser -----------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="certflow", description="Vocational skill-level certification workflows")
    parser.add_argument("--data-dir", help="data folder (default: $CERTFLOW_DATA_DIR or ~/.certflow)")
    sub = parser.add_subparsers(dest="command", required=True)

    def data_dir_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", default=argparse.SUPPRESS, help="data folder")

    calendar = sub.add_parser("calendar", help="working-day calendar")
    calendar_sub = calendar.add_subparsers(dest="calendar_command", required=True)
    for direction, help_text in (("add", "the N-th working day after DATE"),
                                 ("before", "the N-th working day before DATE")):
        p = calendar_sub.add_parser(direction, help=help_text)
        p.add_argument("date", type=_date, metavar="DATE")
        p.add_argument("n", type=_working_days, metavar="N")
        p.add_argument("--profile", help="province profile whose counting convention applies")
        data_dir_option(p)
        p.set_defaults(handler=cmd_calendar_compute, direction=direction)
    p = calendar_sub.add_parser("import", help="import a year's holidays and make-up workdays (YAML or CSV)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--by", default="admin", help="who imports (kept in the calendar record)")
    data_dir_option(p)
    p.set_defaults(handler=cmd_calendar_import)
    p = calendar_sub.add_parser("show", help="list a year's holidays and make-up workdays")
    p.add_argument("year", type=int)
    data_dir_option(p)
    p.set_defaults(handler=cmd_calendar_show)

    occupations = sub.add_parser("occupations", help="occupation catalogue")
    occupations_sub = occupations.add_subparsers(dest="occupations_command", required=True)
    p = occupations_sub.add_parser("import", help="import occupations from CSV: code,name,access_type[,skill_type]")
    p.add_argument("file", metavar="FILE")
    data_dir_option(p)
    p.set_defaults(handler=cmd_occupations_import)

    users = sub.add_parser("users", help="people and their tokens")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    p = users_sub.add_parser("add", help="create a user and print a bearer token")
    from models.accounts import ROLES

    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument("--name", required=True)
    p.add_argument("--jurisdiction", help="officers: GB/T 2260 code of their centre, e.g. 440300; quality "
                                          "supervisors: the centre whose roster they are on")
    p.add_argument("--institution", type=_positive, help="the institution an enterprise user acts for")
    p.add_argument("--card", help="quality supervisors: the number of their 证卡 (required in Gansu, 004 §六(二))")

    password = p.add_mutually_exclusive_group()  # never a password as an argument (shell history, ps)
    password.add_argument("--password-prompt", action="store_true", help="ask for a dashboard password")
    password.add_argument("--password-stdin", action="store_true", help="read the dashboard password from stdin")

    def token_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--days", type=_positive, help="token lifetime (default: 365 for enterprises, 90 for staff)")
        p.add_argument("--label", default="", help="what the token is for (shown by `users tokens`)")

    token_options(p)
    data_dir_option(p)
    p.set_defaults(handler=cmd_users_add)
    p = users_sub.add_parser("token", help="issue another bearer token for a user")
    p.add_argument("--name", required=True)
    token_options(p)
    data_dir_option(p)
    p.set_defaults(handler=cmd_users_token)
    p = users_sub.add_parser("tokens", help="list a user's tokens (never the tokens themselves)")
    p.add_argument("--name", required=True)
    data_dir_option(p)
    p.set_defaults(handler=cmd_users_tokens)
    p = users_sub.add_parser("revoke-token", help="revoke a token by id, or every token of a user")
    p.add_argument("--id", type=_positive)
    p.add_argument("--name")
    data_dir_option(p)
    p.set_defaults(handler=cmd_users_revoke_token)
    p = users_sub.add_parser("disable", help="offboard a user: tokens revoked, sessions ended, login refused, "
                                             "claimed tasks given back, webhooks stopped")
    p.add_argument("--name", required=True)
    p.add_argument("--reason", required=True, help="why (kept with the account and in the audit trail)")
    data_dir_option(p)
    p.set_defaults(handler=cmd_users_disable)
    p = users_sub.add_parser("enable", help="enable a disabled user again (issue a new token afterwards)")
    p.add_argument("--name", required=True)
    data_dir_option(p)
    p.set_defaults(handler=cmd_users_enable)
    p = users_sub.add_parser("lead", help="make an officer lead of their centre (中心负责人): they may reassign any "
                                          "of the centre's tasks to a colleague, claimed ones too")
    p.add_argument("--name", required=True)
    p.add_argument("--off", action="store_true", help="no longer lead")
    data_dir_option(p)
    p.set_defaults(handler=cmd_users_lead)
    p = users_sub.add_parser("reset-password", help="set a new dashboard password; sessions opened before end")
    p.add_argument("--name", required=True)
    password = p.add_mutually_exclusive_group(required=True)
    password.add_argument("--password-prompt", action="store_true", help="ask for the new password")
    password.add_argument("--password-stdin", action="store_true", help="read the new password from stdin")
    data_dir_option(p)
    p.set_defaults(handler=cmd_users_reset_password)
    p = users_sub.add_parser("bind", help="bind an enterprise account to its institution (0: unbind)")
    p.add_argument("--name", required=True)
    p.add_argument("--institution", type=_positive, required=True)
    p.add_argument("--reason", required=True, help="how the account holder's identity was checked")
    data_dir_option(p)
    p.set_defaults(handler=cmd_users_bind)

    from certflow import commands, first_run, records, roles

    first_run.register(sub, users_sub, data_dir_option)
    commands.register(sub, data_dir_option)
    roles.register(sub, data_dir_option)
    records.register(sub, data_dir_option)
    return parser


def _settings_from(args: argparse.Namespace):
    """The one settings object of this command: the environment, with the flags given winning; it is
    installed for the process (the clock finds it) and passed to the command as args.settings."""
    from core.settings import Settings, SettingsError, install

    flags = {name: getattr(args, name, None) for name in ("database_url", "prefect_api_url", "clock")}
    try:
        return install(Settings.from_env(getattr(args, "data_dir", None), **flags))
    except SettingsError as exc:
        raise CliError(f"settings: {exc}") from None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.settings = _settings_from(args)
        return args.handler(args)
    except CliError as exc:
        print(f"certflow: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
