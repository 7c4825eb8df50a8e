"""The processes' database work, one module per kind of case or step: filing, batch, objections and their
investigations, supervision, revocations, credit, quarterly reports, files, decisions, drawn seats,
inspections, staff offboarding. Idempotent: a resumed flow replays them."""
