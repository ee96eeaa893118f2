"""Streamed file downloads of what the store holds: metric samples and events.

files.py      file names, the one time format, tables written as CSV, JSON lines or Parquet
csvsafe.py    the one rule every CSV cell is written with (no spreadsheet formulas)
metrics.py    samples, long or wide, raw, bucketed or downsampled
events.py     events with the feed's filters
streaming.py  the wrapper between an export's generator and the socket: it ends with its client
"""
