"""The system's edges that know nothing of cases: where files' bytes live, server keys, the documents' font, the
PDF renderer, spreadsheets read and written, mail and webhook notification. Imports no other room."""
