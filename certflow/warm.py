"""What the runner's forkserver does once, so that no flow process forked from it does it again (issue 31; the
account of a resumed step is in bench/README.md):

- the tables imported and SQLAlchemy's mappers configured — a process configures them at its first query, and
  in a process forked for each flow run that was about a sixth of the run's CPU;
- the provinces' profiles read and checked (YAML: a tenth of a flow process's CPU when each read them again);
- Prefect's flow-run heartbeats off: a heartbeat thread starts with every run and is joined (up to 2 s) when the
  run ends, its first heartbeat still on its way — 28 % of a flow process's wall time, for a process that lives
  until its step suspends. Heartbeats feed Prefect's detection of crashed runs; certflow's tick revives them from
  its own tables (engine/tick.revive_crashed_runs), as the replay tier runs without them too. Prefect's settings
  cannot say "none" through the environment, hence the property set here, in the forkserver only;
- Prefect's observer of suspensions requested from outside the run off: for a deployment's run Prefect 3.8
  starts a thread with its own event loop and a websocket subscription to its server's event stream, and the run
  waits until it is subscribed — about a fifth of a flow process's CPU, and a subscriber more for the server to
  filter every event for. certflow's runs suspend themselves (flows/steps.wait_for) and nothing asks Prefect to
  suspend a running one;
- Prefect's settings built once (certflow/flow_process.py), where each flow process built them twice;
- Prefect's client models completed: pydantic builds a model with forward references at its first use, and each
  flow process built the flow run's and its update's again (about a twelfth of its CPU);
- the working-day calendar read (tasks/waits/calendar.load_calendar keeps it while the data is unchanged: a flow
  process checks that with one query instead of reading every year's days — about a tenth of its CPU). The
  forkserver's connections are closed before any child is forked; a database not reachable yet holds the
  forkserver until the connection attempt fails (no flow process could work meanwhile), and each flow process
  then reads the calendar itself, as before.
"""

import logging
from contextlib import nullcontext

from prefect import flow_engine
from prefect.client.schemas import actions, filters, objects, responses
from pydantic import BaseModel
from sqlalchemy.orm import configure_mappers

import models  # noqa: F401 - every table, so that every mapper is configured here
from certflow import flow_process
from policy.profiles import all_profiles

configure_mappers()
all_profiles()
flow_engine.BaseFlowRunEngine.heartbeat_seconds = property(lambda self: None)
flow_engine.observe_flow_run_suspension = lambda flow_run_id, suspension_request: nullcontext()
flow_process.remember_forkserver_settings()


def _read_the_calendar() -> None:
    from core.settings import Settings
    from models.db import get_engine, session_scope
    from tasks.waits.calendar import load_calendar

    engine = None
    try:
        url = Settings.from_env().database_url
        engine = get_engine(url)
        with session_scope(url, readonly=True) as session:
            load_calendar(session)
    except Exception as exc:  # noqa: BLE001 - a head start only: the flow processes read it as before
        logging.getLogger("prefect.runner.certflow").warning("the forkserver did not read the calendar: %s", exc)
    finally:
        if engine is not None:
            engine.dispose()  # no connection of the forkserver's is inherited by a flow process


def _complete_prefects_client_models() -> None:
    for module in (actions, objects, responses, filters):
        for value in vars(module).values():
            a_model = isinstance(value, type) and issubclass(value, BaseModel)
            if a_model and value.__module__ == module.__name__ and not value.__pydantic_complete__:
                value.model_rebuild()


_complete_prefects_client_models()
_read_the_calendar()
