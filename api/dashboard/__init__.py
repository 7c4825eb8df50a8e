"""The officers' web dashboard: its routes (routes.py) and the view-models its templates receive (pages.py,
supervision_pages.py), beside templates/dashboard/. Nothing under tasks/ shapes its HTML."""
