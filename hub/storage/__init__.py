"""Where events and samples are kept: SQLite by default, PostgreSQL for several processes.

sql.py       the SQL both databases run, written once with ``?`` placeholders, and what differs (Dialect)
series.py    chart series from samples and rollups, rollup rows, retention: the queries of both stores
gaps.py      breaks (null points) in chart series where data is missing or a training run restarts
writer.py    the single writer thread both stores share
base.py      SQLStore: what both stores do alike (reads, seq assignment, samples, write health)
sqlite.py    SQLiteStore: one SQLite file in WAL mode
postgres.py  PostgresStore: PostgreSQL shared by several server processes
arrow.py     query results as Arrow record batches (ADBC for SQLite, COPY for PostgreSQL), for exports
search.py    text search and counts over the whole history, bounded in time
interface.py Store: the protocol every part of the hub reads a store through
backends.py  the store chosen by --store-url, and which process leads (runs the collector and the demo)
leader.py    the leader election among processes sharing PostgreSQL (an advisory lock)
"""
