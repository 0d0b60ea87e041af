"""Exports: what the store holds (posts, queue items, trends) written as CSV, JSON, JSON Lines or Parquet, in batches.

`sources.py` says what is exported and reads it a batch at a time; `formats.py` writes the batches; `personal.py`
says who may include personal fields and audits it; `files.py` gives a file its name only once it is whole."""

from config.errors import EarshotError


class ExportError(EarshotError):
    """An export that cannot be done as asked: a bad filter, a refused personal export, a folder that is not there."""
