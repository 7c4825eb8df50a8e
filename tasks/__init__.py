"""The steps' work on the database, in rooms that stand in floors (tests/unit/test_import_floors.py holds
them): a room imports its own modules and the rooms below it, never one above.

    exchange/   what leaves as a file or a message: documents (PDF), workbooks, archives, webhooks
    cases/      the processes' database work, one module per kind of case or step
    queries/    what callers read: view-models, lists, publicity, the event feed, statistics
    waits/      what a case waits on: calendar, timers, human tasks, SLA, inactivity, the national system
    people/     accounts and who may see what
    records/    the audit trail and its evidence, draws, retention
    adapters/   files' bytes, keys, fonts, the PDF renderer, spreadsheets, notification
    errors.py   the refusals every room raises (the API maps them to 4xx)
"""
