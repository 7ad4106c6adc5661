"""Running storyline on a Ray cluster: the same reading as the local engine, spread over many machines.

* :mod:`~storyline.scale.cluster` connects to a cluster (or starts a local instance) and fails fast, with one
  clear line, when there is none to reach.
* :mod:`~storyline.scale.shards` cuts the sources into shards (a file, a JSONL file, a WARC archive, a chunk
  of a folder's files) and turns a shard back into raw inputs with the same ingest iterators as locally.
* :mod:`~storyline.scale.pipeline` reads the shards on an actor pool (each actor loads the models once) with
  :func:`storyline.runner.read_raw`, into JSONL (``storyline read``) or into Parquet (``storyline run``).
* :mod:`~storyline.scale.parquet` writes one shard's readings atomically, partitioned by month and language,
  with a completion marker; :mod:`~storyline.scale.load` puts a Parquet folder into the chronicle database in
  publication order.
"""
