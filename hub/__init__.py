"""The hub: the server of MOVA Live, in sub-packages by role (ARCHITECTURE.md draws them).

events/        the event model: envelope rules, validation, type filters, the one time format
storage/       SQLite and PostgreSQL stores, their shared SQL written once, search, the writer thread
live/          the live path: bus (in-process or Redis), WebSocket sessions and frames, live state
api/           the HTTP API and /ws, reading the hub through narrow protocols; the OpenAPI document
export/        streamed downloads of samples and events
access/        users, sessions, API tokens, roles; the ingest gate
alerts/        alert rules, their evaluation and delivery
integrations/  OpenTelemetry in, Prometheus out
server/        the HTTP server process and the request guards
demo/          the demo simulator: a client of the hub, over HTTP
hub.py         Hub: opens the parts and wires them together
settings.py    the frozen Settings, from settings_table.py's rows
collector.py   the host collector: this machine's metrics and health as events
publish.py     the publishing client (clients/python's mova_publish), public as hub.publish
errors.py      HubError and its subclasses, each with its HTTP status
"""
