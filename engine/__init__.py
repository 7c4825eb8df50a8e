"""The engine floor: the one Prefect client (workflow.py) and the passes that keep the flows moving
(tick.py: outbox, timers, wake-ups, SLA scan, revival; leader.py: which tick leads).

Used by the API and by the command line's roles alike; it imports tasks/ and the ground floor, never
api/ or certflow/.
"""
