"""The event model, shared by every part of the hub and by no storage in particular.

model.py     the envelope's rules and the event types the parts hand each other (NewEvent, StoredEvent)
validate.py  known types' data schemas; validation of an ingest batch, all or nothing; numeric samples
filter.py    type prefixes by whole segments, and which events a read wants (EventFilter)
times.py     the one time format (ISO 8601 UTC with milliseconds and Z) and its parsing
"""
