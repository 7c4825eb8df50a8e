"""The officers' dashboard: server-rendered pages behind a cookie login (CSRF token on every form).

Routes translate HTTP to one call and back; what the pages show is made in the view-model modules beside this
one (pages: the inbox, the team, the settings and shared wording; task_pages, case_pages, ops_pages, profile_pages,
supervision_pages, evidence_pages, statistics_pages, case_list_pages)."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path as FilePath
from typing import Annotated, Literal

from annotated_types import Ge, Le
from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Path, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from pydantic import BeforeValidator

from api import metrics
from api.clients import client_address, client_bucket
from api.dashboard import (
    case_list_pages,
    case_pages,
    ops_pages,
    pages,
    profile_pages,
    statistics_pages,
    supervision_pages,
    task_pages,
)
from api.deps import MAX_ID, SESSION_COOKIE, Id, SessionDep, SettingsDep, dashboard_role
from api.errors import in_chinese
from api.routes.certificates import find_certificate
from api.routes.sheets import xlsx_response
from core.clock import wall_now
from engine.tick import wake_now
from models.case_kinds import case_row
from models.clock import business_today
from policy.statistics import PeriodError
from tasks.adapters import spreadsheets
from tasks.adapters.keys import server_key
from tasks.cases import decisions, files, handover, notes, objections, quarterly, seats
from tasks.errors import Problems
from tasks.exchange import documents, sheet_exchange
from tasks.people import access, accounts
from tasks.queries import charts, reports, search
from tasks.records import evidence
from tasks.waits import digest, human_tasks, registry

TEMPLATES_DIR = FilePath(__file__).resolve().parents[2] / "templates"
TEMPLATES = Jinja2Templates(directory=str(TEMPLATES_DIR))
router = APIRouter(prefix="/dashboard", include_in_schema=False)
LOGIN_CSRF_COOKIE = "certflow_login_csrf"
DEVICE_COOKIE = "certflow_device"
Worker = dashboard_role("officer", "expert", "supervisor")
WorkerForm = dashboard_role("officer", "expert", "supervisor", form=True)
Officer = dashboard_role("officer")
OfficerForm = dashboard_role("officer", form=True)
Anyone = dashboard_role(*accounts.DASHBOARD_ROLES)
AnyoneForm = dashboard_role(*accounts.DASHBOARD_ROLES, form=True)
Operations = dashboard_role("operations", "admin")
ReportReaders = dashboard_role("officer", "operations", "admin")
OperationsForm = dashboard_role("operations", "admin", form=True)
# A day from a form's date field: the browser sends an empty one as `changed_from=` (None, not a 422)
Day = Annotated[dt.date, Ge(dt.date(2000, 1, 1)), Le(dt.date(2100, 12, 31))]
FormDay = Annotated[Day | None, BeforeValidator(lambda value: value or None), Query()]
DONE = {
    "handed_over": "已转交同事办理。",
    "digest_saved": "待办摘要设置已保存。",
    "note_added": "备注已保存，仅本中心经办人员可见。",
    "retried": "已提交重试，流程将再次调用外部系统。",
    "claimed": "已领取，可以办理。",
    "released": "已退回；抽取的席位将重新抽取。",
    "decided": "决定已记录，流程将继续。",
    "logged_out": "已退出登录。",
    "report_submitted": "季度报告已报送省级中心，待其审核。",
}


def render(request: Request, template: str, status_code: int = 200, **context):
    login = getattr(request.state, "login", None)
    frame = {
        "user": {
            "name": login.name,
            "role": pages.ROLE_NAMES.get(login.role, login.role),
            "is_operations": login.role in ("operations", "admin"),
            "is_worker": login.role in ("officer", "expert", "supervisor"),
            "is_officer": login.role == "officer",
            "reads_reports": login.role in ("officer", "operations", "admin"),
        }
        if login
        else None,
        "csrf": login.csrf_token if login else "",
        "done": DONE.get(request.query_params.get("done", "")),
    }
    return TEMPLATES.TemplateResponse(request, f"dashboard/{template}", {**frame, **context}, status_code=status_code)


def local(path: str | None, default: str = "/dashboard/inbox") -> str:
    """Only our own pages are redirect targets (no open redirect through ?next=)."""
    if path and path.startswith("/dashboard/") and "//" not in path and "\\" not in path:
        return path
    return default


def with_done(path: str, done: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}done={done}"


# -- login ----------------------------------------------------------------------------------


@router.get("")
def home(login: Anyone):
    target = "/dashboard/ops" if login.user.role in ("operations", "admin") else "/dashboard/inbox"
    return RedirectResponse(target, status_code=303)


@router.get("/login")
def login_page(request: Request, next: Annotated[str | None, Query(max_length=500)] = None):
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", login_csrf=token, next=local(next, ""), error=None, name="")
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/dashboard")
    return response


@router.post("/login")
def log_in(
    request: Request,
    settings: SettingsDep,
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=500)] = "",
    csrf: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
):
    """No request session here: accounts.log_in reads in a snapshot, checks the password outside
    any transaction and writes in short ones of its own."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(csrf.encode(), expected.encode()):
        return _login_again(request, name, next, "登录页面已过期，请重新输入 / the login form expired", 403)
    key = server_key(settings, "devices")
    try:
        user, token = accounts.log_in(
            settings.database_url,
            name=name,
            password=password,
            client=client_bucket(client_address(request, settings)),
            device=request.cookies.get(DEVICE_COOKIE, ""),
            secret=key,
            now=wall_now(),
        )
    except accounts.LoginRefused as refusal:
        return _login_again(request, name, next, str(refusal), 401)
    response = RedirectResponse(local(next, "/dashboard"), status_code=303)
    secure = settings.base_url.startswith("https://")
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        path="/dashboard",
        secure=secure,
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
    )
    # this browser logged in as this name: its failed attempts are counted apart from everyone else's
    response.set_cookie(
        DEVICE_COOKIE,
        accounts.device_proof(key, user.name),
        httponly=True,
        samesite="strict",
        path="/dashboard/login",
        secure=secure,
        max_age=180 * 24 * 3600,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/dashboard")
    return response


def _login_again(request: Request, name: str, next_path: str, error: str, status_code: int):
    token = secrets.token_urlsafe(24)
    response = render(
        request, "login.html", status_code, login_csrf=token, next=local(next_path, ""), error=error, name=name
    )
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/dashboard")
    return response


@router.post("/logout")
def log_out(request: Request, session: SessionDep, _: AnyoneForm):
    accounts.log_out(session, request.cookies.get(SESSION_COOKIE), wall_now())
    response = RedirectResponse("/dashboard/login?done=logged_out", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/dashboard")
    return response


# -- inbox and tasks ------------------------------------------------------------------------------


@router.get("/inbox")
def inbox(
    request: Request,
    login: Worker,
    session: SessionDep,
    settings: SettingsDep,
    background: BackgroundTasks,
    step: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[Literal["active", "open", "mine"], Query()] = "active",
    after: Annotated[str | None, Query(max_length=40)] = None,
):
    page = pages.inbox_page(session, login.user, step=step or None, status=status, after=after)
    if page["newest_task_id"] is not None and page["newest_task_id"] != login.user.inbox_seen_task_id:
        # after the answer, in a write transaction of its own (this request's is read-only)
        background.add_task(accounts.remember_inbox_look, settings.database_url, login.user.id,
                            page["newest_task_id"])
    return render(request, "inbox.html", page=page)


@router.get("/team")
def team(request: Request, login: Officer, session: SessionDep):
    return render(request, "team.html", page=pages.team_page(session, login.user))


@router.get("/cases")
def cases(
    request: Request,
    login: ReportReaders,
    session: SessionDep,
    q: Annotated[str, Query(max_length=100)] = "",
    kind: Literal["filing", "plan", "supervision", ""] = "",
    state: Literal["open", "finished", ""] = "",
    step: Annotated[str, Query(max_length=40, pattern=r"^[a-z_]*$")] = "",
    centre: Annotated[str, Query(pattern=r"^(\d{2}|\d{4}|\d{6})?$")] = "",
    changed_from: FormDay = None,
    changed_to: FormDay = None,
    after: Annotated[str | None, Query(max_length=200)] = None,
):
    try:
        cursor = case_list_pages.decode_cursor(after)
    except case_list_pages.BadCursor:
        raise HTTPException(422, "翻页参数无效，请从第一页重新查询") from None
    query = search.CaseQuery(text=q.strip(), kind=kind or None, state=state or None, step=step or None,
                             centre=centre or None, changed_since=case_list_pages.day_start(changed_from),
                             changed_before=case_list_pages.day_start(changed_to, next_day=True))
    return render(request, "cases.html", page=case_list_pages.case_list_page(session, login.user, query, after=cursor))


@router.get("/tasks/{task_id}")
def task(request: Request, task_id: Id, login: Worker, session: SessionDep):
    found = access.visible_task(session, login.user, task_id)
    return render(request, "task.html", page=task_pages.task_page(session, login.user, found))


@router.post("/tasks/{task_id}/claim")
def claim(
    request: Request,
    task_id: Id,
    login: WorkerForm,
    session: SessionDep,
    return_to: Annotated[str, Form(max_length=500)] = "",
):
    found = access.visible_task(session, login.user, task_id)
    try:
        decisions.ensure_may_act(session, found, login.user)
        human_tasks.claim(session, found, user_id=login.user.id, role=login.user.role)
    except (Problems, human_tasks.TaskConflict) as refusal:
        return _task_refused(request, session, login.user, found, refusal)
    return RedirectResponse(with_done(local(return_to, f"/dashboard/tasks/{task_id}"), "claimed"), status_code=303)


@router.post("/tasks/{task_id}/release")
def release(
    task_id: Id,
    request: Request,
    login: WorkerForm,
    session: SessionDep,
    return_to: Annotated[str, Form(max_length=500)] = "",
):
    found = access.visible_task(session, login.user, task_id)
    try:
        seats.give_back(session, found, user_id=login.user.id, role=login.user.role)
    except human_tasks.TaskConflict as refusal:
        return _task_refused(request, session, login.user, found, refusal)
    return RedirectResponse(with_done(local(return_to), "released"), status_code=303)


@router.post("/tasks/{task_id}/handover")
def hand_over(
    request: Request,
    task_id: Id,
    login: OfficerForm,
    session: SessionDep,
    to_user_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    reason: Annotated[str, Form(max_length=2000)] = "",
):
    """转交: the task goes to the named colleague, claimed; a refusal is shown on the task page by the form."""
    found = access.visible_task(session, login.user, task_id)
    try:
        handover.hand_over(session, found, by=login.user, to_user_id=to_user_id, reason=reason)
    except Problems as refusal:
        errors = {"handover": [in_chinese(v.message) for v in refusal.violations]}
        return render(request, "task.html", 422, page=task_pages.task_page(session, login.user, found, errors=errors))
    except human_tasks.TaskConflict as refusal:
        return _task_refused(request, session, login.user, found, refusal)
    return RedirectResponse(with_done("/dashboard/inbox", "handed_over"), status_code=303)


@router.post("/tasks/{task_id}/dismiss-identical")
def dismiss_identical(
    request: Request,
    task_id: Id,
    login: OfficerForm,
    session: SessionDep,
    settings: SettingsDep,
    background: BackgroundTasks,
    ids: Annotated[str, Form(max_length=5000)] = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
):
    found = access.visible_task(session, login.user, task_id)
    body, errors = task_pages.dismissal_from_form(ids, reason)
    if body is not None:
        try:
            objections.dismiss_identical(
                session,
                case_type=found.case_type,
                case_id=found.case_id,
                objection_ids=body.objection_ids,
                reason=body.reason,
                officer=login.user,
            )
        except (Problems, human_tasks.TaskConflict) as refusal:
            return _task_refused(request, session, login.user, found, refusal)
        background.add_task(wake_now, settings, found.flow_run_id)
        return RedirectResponse(
            with_done(f"/dashboard/cases/{found.case_type}/{found.case_id}", "decided"), status_code=303
        )
    page = task_pages.task_page(session, login.user, found, errors=errors)
    return render(request, "task.html", 422, page=page)


@router.post("/tasks/{task_id}/decision")
async def decide(
    request: Request,
    task_id: Id,
    login: WorkerForm,
    session: SessionDep,
    settings: SettingsDep,
    background: BackgroundTasks,
):
    form = await request.form()
    submitted = {
        "decision": str(form.get("decision", "")),
        "reason": str(form.get("reason", ""))[:5000],
        "checklist": [str(v) for v in form.getlist("checklist")],
        "other_deficiencies": str(form.get("other_deficiencies", ""))[:5000],
        "scores": {key[len("score_") :]: str(value).strip() for key, value in form.items() if key.startswith("score_")},
        "version": str(form.get("version", "")),
        "report": task_pages.report_from_form(form),
        "sanction_fields": supervision_pages.sanction_fields(form),
    }
    return await _run_sync(_decide, request, task_id, login.user, session, settings, background, submitted)


def _decide(request, task_id, user, session, settings, background, submitted):
    found = access.visible_task(session, user, task_id)
    body, errors = task_pages.decision_from_form(submitted)
    if body is not None and found.status == "open":
        errors["form"] = ["请先领取此待办再作决定 / claim the task first"]
    if body is not None and not errors:
        try:
            decided = decisions.decide(session, task=found, user=user, body=body)
        except Problems as problems:
            errors = task_pages.field_errors(problems.violations)
        except human_tasks.TaskConflict as conflict:
            return _task_refused(request, session, user, found, conflict)
        else:
            metrics.observe_decision(session, decided)
            background.add_task(wake_now, settings, decided.flow_run_id)
            case = pages.case_href(
                decided.case_type, decided.case_id, case_row(session, decided.case_type, decided.case_id)
            )
            return RedirectResponse(with_done(case, "decided"), status_code=303)
    page = task_pages.task_page(session, user, found, errors=errors, submitted=submitted)
    return render(request, "task.html", 422, page=page)


async def _run_sync(function, *args):  # database work off the event loop
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(function, *args)


def _task_refused(request: Request, session, user, task, refusal: Exception):
    """A refusal shown on the task page with its reason (separation of duties, or changed meanwhile)."""
    if isinstance(refusal, Problems):
        page = task_pages.task_page(session, user, task, refusal=[v.message for v in refusal.violations], barred=True)
        return render(request, "task.html", 403, page=page)
    session.refresh(task)
    page = task_pages.task_page(session, user, task, refusal=[f"此待办的状态已变化，操作未执行：{refusal}"])
    return render(request, "task.html", 409, page=page)


@router.get("/profiles")
def profiles(request: Request, login: Anyone, session: SessionDep):
    """省份规则: each province's steps and figures, and which of them a seed fixes (the rest are local)."""
    return render(request, "profiles.html", page=profile_pages.profiles_page(business_today(session)))


# -- cases and their documents ---------------------------------------------------------------------


@router.get("/cases/{case_type}/{case_id}")
def case(
    request: Request,
    case_type: Literal["filing", "plan", "supervision"],
    case_id: Id,
    login: Anyone,
    session: SessionDep,
    settings: SettingsDep,
):
    found = access.visible_case(session, login.user, case_type, case_id)
    return render(request, "case.html", page=case_pages.case_page(session, case_type, found, settings=settings,
                                                                viewer_role=login.user.role))


@router.get("/me")
def my_settings(request: Request, login: Worker, settings: SettingsDep):
    return render(request, "me.html", page=pages.my_settings_page(login.user, settings))


@router.post("/me")
def save_my_settings(
    request: Request,
    login: WorkerForm,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=300)] = "",
    digest_on: Annotated[str, Form(alias="digest")] = "",
):
    """待办摘要: the address and the daily digest on or off; a refusal is shown back with what was typed."""
    try:
        digest.subscribe(session, login.user, email=email, digest=digest_on == "on")
    except Problems as refusal:
        errors = {v.field: in_chinese(v.message) for v in refusal.violations}
        page = pages.my_settings_page(login.user, settings, typed=(email, digest_on == "on"), errors=errors)
        return render(request, "me.html", 422, page=page)
    return RedirectResponse(with_done("/dashboard/me", "digest_saved"), status_code=303)


@router.post("/cases/{case_type}/{case_id}/notes")
def add_note(
    request: Request,
    case_type: Literal["filing", "plan"],
    case_id: Id,
    login: OfficerForm,
    session: SessionDep,
    settings: SettingsDep,
    text: Annotated[str, Form(max_length=20_000)] = "",
):
    """An internal note on the case (officers of a centre that sees it); a refused note is shown back with
    its reason and the text kept, nothing stored."""
    found = access.visible_case(session, login.user, case_type, case_id)
    try:
        notes.add_note(session, case_type=case_type, case_id=case_id, author=login.user, text=text)
    except Problems as refusal:
        page = case_pages.case_page(session, case_type, found, settings=settings, viewer_role=login.user.role,
                               note_refused=("；".join(in_chinese(v.message) for v in refusal.violations), text))
        return render(request, "case.html", 422, page=page)
    return RedirectResponse(with_done(f"/dashboard/cases/{case_type}/{case_id}", "note_added") + "#notes",
                            status_code=303)


@router.get("/cases/{case_type}/{case_id}/files/{file_id}")
def uploaded_file(
    case_type: Literal["filing", "plan", "supervision"],
    case_id: Id,
    file_id: Id,
    login: Anyone,
    session: SessionDep,
    settings: SettingsDep,
):
    record, content = files.open_file(session, settings, login.user, case_type, case_id, file_id)
    return Response(content, media_type=record.media_type, headers=files.download_headers(record))


@router.get("/cases/{case_type}/{case_id}/files/{file_id}/preview")
def preview_file(
    case_type: Literal["filing", "plan", "supervision"],
    case_id: Id,
    file_id: Id,
    login: Officer,
    session: SessionDep,
    settings: SettingsDep,
):
    """A PDF or an image opened in the officer's browser, sandboxed (other types stay downloads)."""
    record, content = files.open_file(session, settings, login.user, case_type, case_id, file_id)
    return Response(content, media_type=record.media_type, headers=files.preview_headers(record))


@router.get("/cases/plan/{plan_id}/{sheet}.xlsx")
def plan_sheet(
    plan_id: Id,
    sheet: Literal["roster", "results", "certificates", "results-template"],
    login: Anyone,
    session: SessionDep,
):
    export = {
        "roster": sheet_exchange.roster_export,
        "results": sheet_exchange.results_export,
        "certificates": sheet_exchange.certificates_export,
        "results-template": sheet_exchange.results_template,
    }[sheet]
    return xlsx_response(export(session, login.user, plan_id), f"{sheet}-{plan_id}.xlsx")


@router.get("/inbox.xlsx")
def inbox_sheet(login: Anyone, session: SessionDep):
    return xlsx_response(sheet_exchange.inbox_export(session, login.user), "inbox.xlsx")


@router.get("/templates/roster.xlsx")
def roster_template(login: Anyone):
    return xlsx_response(spreadsheets.roster_template(), "roster-template.xlsx")


@router.get("/cases/filing/{filing_id}/receipt.pdf")
def receipt(filing_id: Id, login: Anyone, session: SessionDep, settings: SettingsDep):
    filing = access.visible_case(session, login.user, "filing", filing_id)
    return Response(documents.receipt_pdf(session, filing, settings=settings), media_type="application/pdf")


@router.get("/cases/filing/{filing_id}/notices/{notice_number}.pdf")
def notice(
    filing_id: Id,
    notice_number: Annotated[int, Path(ge=1, le=1000)],
    login: Anyone,
    session: SessionDep,
    settings: SettingsDep,
):
    filing = access.visible_case(session, login.user, "filing", filing_id)
    return Response(
        documents.notice_pdf(session, filing, notice_number, settings=settings), media_type="application/pdf"
    )


@router.get("/institutions/{institution_id}")
def institution(request: Request, institution_id: Id, login: Anyone, session: SessionDep):
    found = access.visible_institution(session, login.user, institution_id)
    return render(request, "institution.html", page=supervision_pages.institution_page(session, found))


@router.get("/cases/supervision/{case_id}/rectification/{round_no}.pdf")
def rectification_order(
    case_id: Id,
    round_no: Annotated[int, Path(ge=1, le=1000)],
    login: Anyone,
    session: SessionDep,
    settings: SettingsDep,
):
    case = access.visible_case(session, login.user, "supervision", case_id)
    return Response(
        documents.supervision_pdf(session, case, "rectification", round_no, settings=settings),
        media_type="application/pdf",
    )


@router.get("/cases/supervision/{case_id}/cancellation.pdf")
def cancellation_decision(case_id: Id, login: Anyone, session: SessionDep, settings: SettingsDep):
    case = access.visible_case(session, login.user, "supervision", case_id)
    return Response(
        documents.supervision_pdf(session, case, "cancellation", 0, settings=settings),
        media_type="application/pdf",
    )


@router.get("/certificates/{number}.pdf")
def certificate(number: Annotated[str, Path(max_length=40)], login: Anyone, session: SessionDep, settings: SettingsDep):
    found = find_certificate(session, number)
    access.visible_case(session, login.user, "plan", found.plan_id)
    return Response(documents.certificate_pdf(session, number=number, settings=settings), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{number}.pdf"'})


# -- statistics ----------------------------------------------------------------------------------


@router.get("/reports")
def statistics_page(
    request: Request,
    login: ReportReaders,
    session: SessionDep,
    period: Annotated[str | None, Query(max_length=7)] = None,
    jurisdiction: Annotated[str | None, Query(pattern=r"^(\d{6})?$")] = None,
):
    chosen, scope = _report_scope(session, login.user, period, jurisdiction)
    stats = reports.statistics(session, jurisdiction=scope, period=chosen)
    page = statistics_pages.statistics_page(
        stats,
        period=chosen,
        periods=statistics_pages.recent_periods(business_today(session)),
        jurisdiction_choices=reports.jurisdiction_choices(session, login.user),
    )
    page["submission"] = statistics_pages.submission_view(
        quarterly.latest_for(session, scope, chosen.code) if scope else None,
        period=chosen,
        jurisdiction=scope,
        user=login.user,
        today=business_today(session),
    )
    return render(request, "reports.html", page=page)


@router.get("/reports/submissions/{report_id}.pdf")
def quarterly_report_as_sent(report_id: Id, login: ReportReaders, session: SessionDep, settings: SettingsDep):
    report = quarterly.visible(session, login.user, report_id)
    return Response(
        quarterly.pdf(settings, report), media_type="application/pdf", headers=quarterly.pdf_headers(report)
    )


@router.post("/reports/submit")
def submit_quarterly_report(
    request: Request,
    login: OfficerForm,
    session: SessionDep,
    settings: SettingsDep,
    period: Annotated[str, Form(max_length=7)],
    note: Annotated[str, Form(max_length=2000)] = "",
):
    try:
        report = quarterly.submit(session, settings, user=login.user, period=period, note=note)
    except Problems as problems:
        raise HTTPException(422, "；".join(v.message for v in problems.violations)) from None
    return RedirectResponse(
        with_done(pages.case_href("report", report.id, report), "report_submitted"), status_code=303
    )


@router.get("/reports/statistics.xlsx")
def statistics_workbook(
    login: ReportReaders,
    session: SessionDep,
    period: Annotated[str | None, Query(max_length=7)] = None,
    jurisdiction: Annotated[str | None, Query(pattern=r"^(\d{6})?$")] = None,
):
    chosen, scope = _report_scope(session, login.user, period, jurisdiction)
    stats = reports.statistics(session, jurisdiction=scope, period=chosen)
    return xlsx_response(reports.workbook(stats), f"statistics-{scope or 'all'}-{chosen.code}.xlsx")


@router.get("/reports/quarterly.pdf")
def quarterly_report(
    login: ReportReaders,
    session: SessionDep,
    period: Annotated[str | None, Query(max_length=7)] = None,
    jurisdiction: Annotated[str | None, Query(pattern=r"^(\d{6})?$")] = None,
):
    chosen, scope = _report_scope(session, login.user, period, jurisdiction)
    stats = reports.statistics(session, jurisdiction=scope, period=chosen)
    return Response(
        charts.quarterly_report_pdf(stats, chosen, business_today(session)),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="report-{scope or "all"}-{chosen.code}.pdf"'},
    )


def _report_scope(session, user, period: str | None, jurisdiction: str | None):
    try:
        return reports.resolve_scope(session, user, period, jurisdiction or None)
    except PeriodError as exc:
        raise HTTPException(422, str(exc)) from None
    except reports.OutsideJurisdiction as exc:
        raise HTTPException(403, str(exc)) from None


# -- operations ----------------------------------------------------------------------------------


@router.get("/ops")
def ops(request: Request, login: Operations, session: SessionDep):
    return render(request, "ops.html", page=ops_pages.ops_page(session))


@router.get("/ops/anchors.json")
def audit_anchors_export(login: Operations, session: SessionDep):
    """The anchors as JSON, for the operations page's export link (the API's needs a bearer token)."""
    return JSONResponse(
        [evidence.anchor_view(a).model_dump(mode="json") for a in evidence.recent_anchors(session, limit=366)],
        headers={"Content-Disposition": 'attachment; filename="audit-anchors.json"'},
    )


@router.post("/ops/incidents/{incident_id}/retry")
def retry_incident(
    incident_id: Id, login: OperationsForm, session: SessionDep, settings: SettingsDep, background: BackgroundTasks
):
    incident = registry.retry_incident(session, incident_id=incident_id, user_id=login.user.id, role=login.user.role)
    background.add_task(wake_now, settings, incident.flow_run_id)
    return RedirectResponse("/dashboard/ops?done=retried", status_code=303)
