"""A newcomer's first hour on the command line: a ready set of sample users for one province
(`certflow users sample`), and the simulated business clock read and moved without an admin token
(`certflow clock show|set|advance`). Both refuse an instance on the real clock: sample logins and a
moved clock belong on a folder made for trying certflow."""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
import sys

from certflow.errors import CliError


def simulated(settings) -> bool:
    """Whether this data folder runs on the simulated clock: the settings say so, or the folder holds the
    simulated clock a `certflow up --clock simulated` left (a folder only ever run on real time has none)."""
    from models.db import session_scope
    from models.workflow import BusinessClock

    if settings.clock == "simulated":
        return True
    with session_scope(settings.database_url, readonly=True) as session:
        return session.get(BusinessClock, 1) is not None


def _simulated_settings(args: argparse.Namespace):
    from certflow.bootstrap import prepare
    from core.settings import install

    settings = args.settings
    prepare(settings)
    if not simulated(settings):
        raise CliError("the business clock of this data folder is real time; the simulated clock is for a "
                       "folder started with `certflow up --clock simulated`")
    return install(settings.replace(clock="simulated"))


# -- the sample users ------------------------------------------------------


def sample_people(profile) -> list[dict]:
    """Who a newcomer needs to take a case through every step of `profile`'s processes: an administrator,
    the provincial centre, two officers of a city centre (four-eyes steps need a second one), three
    experts, a quality supervisor, operations and an enterprise. Login names are ASCII (no input method
    needed at the login page)."""
    if len(profile.region_prefix) == 4:  # a city with its own rules (深圳): its centre is both levels
        province = city = profile.region_prefix + "00"
    else:
        province, city = profile.region_prefix + "0000", profile.region_prefix + "0100"
    prefix = profile.code
    return [
        {"name": f"{prefix}-admin", "role": "admin", "what": "管理员"},
        {"name": f"{prefix}-province", "role": "officer", "jurisdiction": province, "what": "省级中心审核员"},
        {"name": f"{prefix}-city", "role": "officer", "jurisdiction": city, "what": "市级中心审核员"},
        {"name": f"{prefix}-city2", "role": "officer", "jurisdiction": city, "what": "市级中心复核员（双人审核）"},
        *({"name": f"{prefix}-expert{n}", "role": "expert", "what": f"评估专家 {n}"} for n in (1, 2, 3)),
        {"name": f"{prefix}-supervisor", "role": "supervisor", "jurisdiction": city, "card": f"{prefix}-DD-0001",
         "what": "质量督导员"},
        {"name": f"{prefix}-ops", "role": "operations", "what": "运维值班"},
        {"name": f"{prefix}-enterprise", "role": "enterprise", "what": "企业经办人（API）"},
    ]


def cmd_users_sample(args: argparse.Namespace) -> int:
    from sqlmodel import select

    from certflow.bootstrap import prepare
    from models.accounts import User
    from models.db import session_scope
    from policy.profiles import get_profile
    from tasks.people.accounts import DASHBOARD_ROLES, create_user

    settings = args.settings
    prepare(settings)
    if not args.force and not simulated(settings):
        raise CliError("sample users are for trying certflow on the simulated clock (`certflow up --clock "
                       "simulated`); add --force to create them on this real-time instance anyway")
    try:
        profile = get_profile(args.province)
    except KeyError as unknown:
        raise CliError(str(unknown.args[0])) from None
    people = sample_people(profile)
    with session_scope(settings.database_url, readonly=True) as session:
        taken = session.exec(select(User.name).where(User.name.in_([p["name"] for p in people]))).all()
    if taken:  # all or nothing: a second run creates no half set
        raise CliError(f"the sample users of {profile.code} exist already ({', '.join(sorted(taken))}); "
                       f"issue a new token with `certflow users token --name NAME`")
    print(f"sample users for {profile.name} ({profile.code}); each password and token is shown only this once")
    print(f"{'login':<22} {'password':<14} {'role':<11} {'centre':<7} token")
    for person in people:
        password = secrets.token_urlsafe(9) if person["role"] in DASHBOARD_ROLES else None
        _, token = create_user(settings.database_url, role=person["role"], name=person["name"],
                               jurisdiction=person.get("jurisdiction"), password=password,
                               card_number=person.get("card"), label="certflow users sample")
        print(f"{person['name']:<22} {password or '(API only)':<14} {person['role']:<11} "
              f"{person.get('jurisdiction', '—'):<7} {token}   {person['what']}")
    print("dashboard: /dashboard/login with a login and password above; the API: Authorization: Bearer <token>",
          file=sys.stderr)
    return 0


# -- the simulated clock ---------------------------------------------------


def _china_day(text: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    from core.clock import CHINA

    return dt.datetime.combine(day, dt.time(9, 0), tzinfo=CHINA)  # the start of an office day


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days") from None
    if not 0 <= value <= 3650:
        raise argparse.ArgumentTypeError(f"the clock moves 0 to 3650 days forward (got {value})")
    return value


def cmd_clock(args: argparse.Namespace) -> int:
    from core.clock import ClockError
    from models.clock import business_now, set_business_now
    from models.db import session_scope

    settings = _simulated_settings(args)
    with session_scope(settings.database_url) as session:
        now = business_now(session)
        try:
            if args.clock_command == "set":
                now = set_business_now(session, args.to)
            elif args.clock_command == "advance":
                now = set_business_now(session, now + dt.timedelta(days=args.days))
        except ClockError as exc:
            raise CliError(str(exc)) from None
    print(f"business time {now:%Y-%m-%d %H:%M} (China), {'周' + '一二三四五六日'[now.weekday()]}; simulated clock")
    if args.clock_command != "show":
        print("a running instance's tick fires the timers now due within seconds", file=sys.stderr)
    return 0


def register(sub, users_sub, data_dir_option) -> None:
    p = users_sub.add_parser("sample", help="create a ready set of users of one province for trying certflow "
                                            "(simulated clock only, unless --force)")
    p.add_argument("--province", default="guangdong", help="province profile (default guangdong)")
    p.add_argument("--force", action="store_true", help="create them on a real-time instance too")
    data_dir_option(p)
    p.set_defaults(handler=cmd_users_sample)

    clock = sub.add_parser("clock", help="the simulated business clock: show it, set a date, advance days")
    clock_sub = clock.add_subparsers(dest="clock_command", required=True)
    p = clock_sub.add_parser("show", help="the business date and time")
    data_dir_option(p)
    p.set_defaults(handler=cmd_clock)
    p = clock_sub.add_parser("set", help="move the clock forward to DATE (09:00 China time); never back")
    p.add_argument("to", type=_china_day, metavar="DATE")
    data_dir_option(p)
    p.set_defaults(handler=cmd_clock)
    p = clock_sub.add_parser("advance", help="move the clock N calendar days forward")
    p.add_argument("days", type=_days, metavar="N")
    data_dir_option(p)
    p.set_defaults(handler=cmd_clock)


def first_run_hint(settings, api_url: str) -> str:
    """What `certflow up` prints once it is up: where to go, and — on a folder without any user yet — the one
    command that creates the first administrator (and, on the simulated clock, a ready sample set)."""
    from pathlib import Path

    from sqlmodel import select

    from models.accounts import User
    from models.db import session_scope

    folder = "" if Path(settings.data_dir) == Path.home() / ".certflow" else f" --data-dir {settings.data_dir}"
    lines = [f"  public pages  {api_url}/    dashboard  {api_url}/dashboard    API explorer  {api_url}/docs"]
    with session_scope(settings.database_url, readonly=True) as session:
        anyone = session.exec(select(User.id).limit(1)).first() is not None
    if not anyone:
        lines.append("no user exists yet; create the first administrator (in another terminal):")
        lines.append(f"  .venv/bin/certflow users add --role admin --name admin --password-prompt{folder}")
        if simulated(settings):
            lines.append("or a ready set of users to try every step (simulated clock):")
            lines.append(f"  .venv/bin/certflow users sample --province guangdong{folder}")
    if simulated(settings):
        lines.append(f"move the simulated clock: .venv/bin/certflow clock advance 7{folder}")
    return "\n".join(lines)
