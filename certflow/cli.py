"""The `certflow` command line. Wrong input gets a clear message and exit code 2."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

EXIT_USAGE = 2


class CliError(Exception):
    """A refusal to report as `certflow: <message>` with exit code 2."""


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
    from certflow.settings import Settings

    return Settings.from_env(getattr(args, "data_dir", None))


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
    from tasks.calendar import load_calendar

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
    from tasks.calendar import store_official_years

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
        store_official_years(session, years, imported_by=args.by, now=dt.datetime.now(dt.timezone.utc))
    for year in years:
        print(f"imported {year.year}: {len(year.holidays)} holidays, {len(year.makeup_workdays)} make-up workdays")
    return 0


def cmd_calendar_show(args: argparse.Namespace) -> int:
    from models.db import session_scope
    from tasks.calendar import load_calendar

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


def cmd_users_add(args: argparse.Namespace) -> int:
    from tasks.accounts import AccountError, create_user

    settings = _prepared(args)
    try:
        user, token = create_user(settings.database_url, role=args.role, name=args.name,
                                  jurisdiction=args.jurisdiction, institution_id=args.institution,
                                  password=args.password)
    except AccountError as exc:
        raise CliError(str(exc)) from None
    print(token)
    print(f"user {user.id} {user.name} ({user.role}) created; the token above is shown only once", file=sys.stderr)
    return 0


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
    p.add_argument("--jurisdiction", help="officers: GB/T 2260 code of their centre, e.g. 440300")
    p.add_argument("--institution", type=int, help="the institution an enterprise user acts for")
    p.add_argument("--password", help="dashboard password (officers, experts, supervisors, operations)")
    data_dir_option(p)
    p.set_defaults(handler=cmd_users_add)

    from certflow import commands

    commands.register(sub, data_dir_option)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except CliError as exc:
        print(f"certflow: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
