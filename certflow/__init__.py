"""certflow: vocational skill-level certification workflows on Prefect."""
