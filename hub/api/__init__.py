"""The HTTP API (DESIGN.md §3) and the /ws route, mounted on the Flask server.

interface.py  ApiHub, SocketHub: the narrow parts of the hub the routes read
limits.py     the bounds and defaults the routes check and the OpenAPI document states, declared once
params.py     query parameters read and checked (a 400 naming the parameter)
ingest.py     the body of POST /api/events in its four forms
responses.py  JSON answers, event pages, streamed downloads
routes.py     the REST routes under /api/
socket.py     the /ws route: the upgrade's checks, the connection cap, the stream
schemas.py    the OpenAPI document's schemas
paths.py      the OpenAPI document's /api/ paths
openapi.py    the whole document, served at GET /api/openapi.json
"""
