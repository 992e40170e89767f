"""Application use-cases shared by every front-end (REST/WebSocket API, Discord bot via the API).

Each service takes its collaborators by keyword (database, bus, clock, settings), opens one unit
of work per call, checks the caller's permission and ownership, and writes the audit row in the
same transaction as the change. Services return domain-shaped read models, never ORM rows.
"""
