"""What to tell someone when the store itself fails: known driver errors as one line of advice."""

from sqlalchemy.exc import SQLAlchemyError

_ADVICE = (  # (what the driver says, in lower case; what to do)
    (("database or disk is full", "no space left on device", "could not extend file", "disk full"),
     "the database (or the disk it is on) is full: free space or move database_url to a larger disk, then run the "
     "command again; everything stored before this is kept"),
    (("deadlock detected",),
     "two transactions waited for each other (a deadlock) and the database stopped one; run the command again"),
    (("database is locked",),
     "the SQLite database stayed locked by another process for 30 s: stop the other writer, or use PostgreSQL for "
     "several workers, then run the command again"),
    (("unable to open database file", "readonly database", "attempt to write a readonly database"),
     "the SQLite database file cannot be opened for writing: check database_url and the file's permissions"),
    (("connection refused", "could not connect to server", "connection to server", "server closed the connection",
      "terminating connection", "the database system is shutting down", "the database system is starting up"),
     "the database server is not reachable: start it or check database_url, then run the command again"),
)


def store_problem(exc: BaseException) -> str | None:
    """One line of advice for a store failure we know, or None."""
    if not isinstance(exc, SQLAlchemyError):
        return None
    said = str(getattr(exc, "orig", None) or exc).lower()
    for phrases, advice in _ADVICE:
        if any(phrase in said for phrase in phrases):
            return advice
    return None
