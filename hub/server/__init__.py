"""Serving: the HTTP server process and the guards every request meets before any route.

serve.py       gunicorn (gthread) or werkzeug, started from app.py's main with the hub's settings
worker.py      the gunicorn worker whose front reads whole requests before a thread takes them
linger.py      lingering closes off the worker's main thread
guard.py       Host allow-list, security headers and JSON errors for every route
hostpolicy.py  the names this server answers for and the origins that may talk to it
"""
