"""The FastAPI application: routers, error mapping, lifespan (the tick in embedded mode)."""

from __future__ import annotations

import contextlib
import logging

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import metrics
from api.dashboard import routes as dashboard
from api.dashboard.routes import render
from api.deps import LoginRequired, MetricsReader, SessionDep
from api.errors import ERRORS, in_chinese, request_problem
from api.explorer import serve_explorer
from api.middleware import UPLOAD_ENVELOPE_BYTES, BodySizeLimit, SecurityHeaders, capped
from api.openapi_document import as_published
from api.ratelimit import SharedTokenBucket
from api.routes import (
    admin,
    archives,
    audit,
    calendar,
    certificates,
    documents,
    files,
    filings,
    front_door,
    lists,
    occupations,
    plans,
    public_pages,
    publicity,
    reports,
    sheets,
    sla,
    supervision,
    tasks,
    webhooks,
)
from core import settings as instance
from core.clock import ClockError
from core.settings import Settings
from engine.tick import start_scheduler, stop_scheduler
from models.responses import Health
from policy.working_days import CalendarRangeError
from tasks.errors import Conflict, NotFound, Problems, TooLarge, TooMany
from tasks.waits.human_tasks import TaskConflict

log = logging.getLogger("certflow.api")


def operation_id(route: APIRoute) -> str:
    """The handler's name (`create_filing`, `read_plan`): what a generated client calls the method.
    tests/api/test_openapi_document.py keeps them unique."""
    return route.name


def bind(app: FastAPI, settings: Settings) -> Settings:
    """The instance an app serves: its settings (installed for the process) and its rate-limit bucket.
    create_app binds its own; a test process rebinds one app to each test's folder, because building an
    app's routes costs ~0.2 s of CPU on its first request (FastAPI builds them lazily, per app)."""
    app.state.settings = instance.install(settings)
    # verification is open to anyone: 120 a minute per client, bursts of 30, shared by every API process
    app.state.public_limit = SharedTokenBucket(per_minute=120, burst=30)
    return settings


def create_app(settings: Settings | None = None, *, run_tick: bool = False) -> FastAPI:
    settings = instance.install(settings or Settings.from_env())  # the API process's one settings object

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        scheduler = None
        if run_tick:
            scheduler = start_scheduler(settings)
        yield
        if scheduler is not None:
            stop_scheduler(scheduler)

    app = FastAPI(title="certflow API", version="1", lifespan=lifespan, generate_unique_id_function=operation_id,
                  docs_url=None, redoc_url=None,  # served by api.explorer, with their assets from our origin
                  description="职业技能等级认定 workflows: filings, evaluation batches, certificates. "
                              "Errors are `{\"detail\": ...}`; creating POSTs honour `Idempotency-Key`.")
    bind(app, settings)

    def dashboard_error(request: Request, status_code: int, message: str):
        """The dashboard answers errors with a page, the API with JSON."""
        return render(request, "error.html", status_code, status=status_code, message=message)

    def is_page(request: Request) -> bool:
        return request.url.path.startswith("/dashboard")

    @app.exception_handler(LoginRequired)
    async def login_required(_: Request, exc: LoginRequired):
        from urllib.parse import quote

        return RedirectResponse(f"/dashboard/login?next={quote(exc.next_path, safe='/')}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if is_page(request):
            return dashboard_error(request, exc.status_code, str(exc.detail))
        return await http_exception_handler(request, exc)

    @app.exception_handler(Problems)
    async def problems(request: Request, exc: Problems):
        if is_page(request):
            return dashboard_error(request, 422, "；".join(v.message for v in exc.violations))
        return JSONResponse({"detail": capped([v.as_dict() for v in exc.violations])}, status_code=422)

    @app.exception_handler(Conflict)
    @app.exception_handler(TaskConflict)
    @app.exception_handler(ClockError)
    async def conflict(request: Request, exc: Exception):
        if is_page(request):
            return dashboard_error(request, 409, str(exc))
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(TooMany)
    async def too_many(request: Request, exc: TooMany):
        if is_page(request):
            return dashboard_error(request, 429, str(exc))
        return JSONResponse({"detail": str(exc)}, status_code=429)

    @app.exception_handler(CalendarRangeError)
    async def out_of_calendar(_: Request, exc: CalendarRangeError):
        return JSONResponse({"detail": [{"code": "calendar.out_of_range", "field": "date", "message": str(exc)}]},
                            status_code=422)

    @app.exception_handler(TooLarge)
    async def too_large(request: Request, exc: TooLarge):
        if is_page(request):
            return dashboard_error(request, 413, str(exc))
        return JSONResponse({"detail": str(exc)}, status_code=413)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound):
        if is_page(request):
            return dashboard_error(request, 404, f"未找到，或您无权查看 / {exc}")
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def database_unavailable(request: Request, exc: Exception):
        """The database gone for a moment (restarting, failing over, its connections exhausted): 503 with
        Retry-After, never a 500 — the request changed nothing (its transaction was rolled back) and a client
        retries it as it is (with its Idempotency-Key, when it wrote)."""
        log.warning("database unavailable for %s %s: %s", request.method, request.url.path,
                    str(exc).splitlines()[0][:200])
        message = "数据库暂时不可用，请稍后重试 / the database is unavailable for a moment: try again"
        answer = dashboard_error(request, 503, message) if is_page(request) else \
            JSONResponse({"detail": message}, status_code=503)
        answer.headers["Retry-After"] = "5"
        return answer

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        if is_page(request):
            return dashboard_error(request, 422, "请求参数不正确：" + "；".join(
                f"{problem['field']} {in_chinese(problem['message'])}"
                for problem in map(request_problem, exc.errors())))
        return JSONResponse({"detail": capped([request_problem(e) for e in exc.errors()])}, status_code=422)

    for module in (filings, lists, occupations, tasks, plans, documents, certificates, calendar, admin, sla, audit,
                   archives, front_door, public_pages, publicity, reports, supervision, webhooks, files, sheets,
                   dashboard):
        app.include_router(module.router)
    app.include_router(supervision.public)
    serve_explorer(app)
    app.mount("/static", StaticFiles(directory=str(dashboard.TEMPLATES_DIR / "static")), name="static")

    app.middleware("http")(metrics.observe)
    app.add_middleware(SecurityHeaders)
    # outermost: before anything reads
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes,
                       upload_max_bytes=settings.file_max_bytes + UPLOAD_ENVELOPE_BYTES)

    @app.get("/healthz", tags=["health"], response_model=Health, summary="Liveness")
    def healthz():
        return Health(status="ok")

    @app.get(
        "/metrics",
        tags=["health"],
        response_class=JSONResponse,  # errors are JSON; the answer is text
        responses={
            200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "metrics"},
            401: ERRORS[401],
            403: ERRORS[403],
        },
        summary="Prometheus metrics (bearer: CERTFLOW_METRICS_TOKEN, or an operations/admin token)",
    )
    def prometheus(session: SessionDep, _: MetricsReader):
        return metrics.render(session)

    plain_openapi = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = as_published(plain_openapi())
        return app.openapi_schema

    app.openapi = openapi
    return app
