"""The ground floor: the instance's settings and the business clock (with models/, the database).

Everything above may import it; it imports nothing of tasks/, flows/, engine/, api/ or certflow/.
"""
