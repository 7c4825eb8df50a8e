"""What a case waits on: the working-day calendar, business timers, human tasks, SLA clocks, the inactivity clock
and the national query system."""
