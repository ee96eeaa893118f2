"""The demo: a client of the hub that plays MOVA-like activity so every panel moves (``--demo``).

It is not part of the server: it talks to the hub over HTTP through the publishing
client (hub/publish.py, clients/python's mova_publish) like any service, and the
server only starts it, by URL (hub/hub.py).

world.py      the simulated world's cast (jobs, models, users, plugins, files) and its state
simulator.py  Simulator: pure, deterministic given its Random; the events that happened by a time
player.py     Demo: a Simulator played against a hub on a thread, through a Publisher
"""
