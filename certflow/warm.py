"""What the runner's forkserver does once so that no flow process does it again: the tables imported and
SQLAlchemy's mappers configured. Mapper configuration happens at a process's first query; in a process forked
for each flow run it was about a sixth of the run's CPU (bench/README.md, the account of a resumed step)."""

from sqlalchemy.orm import configure_mappers

import models  # noqa: F401 - every table, so that every mapper is configured here

configure_mappers()
