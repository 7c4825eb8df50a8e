"""The FastAPI application: routers, error mapping, lifespan (the tick in embedded mode)."""

from __future__ import annotations

import contextlib
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse

from api import metrics
from api.deps import SessionDep
from certflow.clock import ClockError
from certflow.settings import Settings
from policy.working_days import CalendarRangeError
from tasks.errors import Conflict, NotFound, Problems
from tasks.human_tasks import TaskConflict

log = logging.getLogger("certflow.api")


def create_app(settings: Settings | None = None, *, run_tick: bool = False) -> FastAPI:
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        scheduler = None
        if run_tick:
            from certflow.tick import start_scheduler

            scheduler = start_scheduler(settings)
        yield
        if scheduler is not None:
            scheduler.shutdown(wait=True)

    app = FastAPI(title="certflow API", version="1", lifespan=lifespan,
                  description="职业技能等级认定 workflows: filings, evaluation batches, certificates. "
                              "Errors are `{\"detail\": ...}`; creating POSTs honour `Idempotency-Key`.")
    app.state.settings = settings

    @app.exception_handler(Problems)
    async def problems(_: Request, exc: Problems):  # noqa: ANN202
        return JSONResponse({"detail": [v.as_dict() for v in exc.violations]}, status_code=422)

    @app.exception_handler(Conflict)
    @app.exception_handler(TaskConflict)
    @app.exception_handler(ClockError)
    async def conflict(_: Request, exc: Exception):  # noqa: ANN202
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(CalendarRangeError)
    async def out_of_calendar(_: Request, exc: CalendarRangeError):  # noqa: ANN202
        return JSONResponse({"detail": [{"code": "calendar.out_of_range", "field": "date", "message": str(exc)}]},
                            status_code=422)

    @app.exception_handler(NotFound)
    async def not_found(_: Request, exc: NotFound):  # noqa: ANN202
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError):  # noqa: ANN202
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in exc.errors()]
        return JSONResponse({"detail": errors}, status_code=422)

    from api.routes import admin, calendar, certificates, documents, filings, plans, public_pages, tasks

    for module in (filings, tasks, plans, documents, certificates, calendar, admin, public_pages):
        app.include_router(module.router)

    app.middleware("http")(metrics.observe)

    @app.get("/healthz", tags=["health"], summary="Liveness")
    def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/metrics", tags=["health"], summary="Prometheus metrics", response_class=PlainTextResponse)
    def prometheus(session: SessionDep):
        return metrics.render(session)

    return app
