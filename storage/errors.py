"""What to tell someone when the store itself fails: known driver errors, each as what happened and what to do.
The command line adds "run the command again" where that helps; a worker, which tries again by itself, and the API
(a 503) say less."""

from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError


@dataclass(frozen=True)
class StoreProblem:
    what: str  # what happened
    fix: str | None = None  # what to do about it
    rerun: bool = True  # a rerun then goes on
    kept: bool = False  # say that what was stored before is kept

    @property
    def advice(self) -> str:
        """One line for the command line."""
        line = f"{self.what}: {self.fix}" if self.fix else self.what
        if self.rerun:
            line += ", then run the command again" if self.fix else "; run the command again"
        return line + ("; everything stored before this is kept" if self.kept else "")

    @property
    def in_short(self) -> str:
        """What happened and what to do, for whoever tries again by itself."""
        return f"{self.what}: {self.fix}" if self.fix else self.what


_KNOWN = (  # (what the driver says, in lower case; the problem)
    (("database or disk is full", "no space left on device", "could not extend file", "disk full"),
     StoreProblem("the database (or the disk it is on) is full", "free space or move database_url to a larger disk",
                  kept=True)),
    (("deadlock detected",),
     StoreProblem("two transactions waited for each other (a deadlock) and the database stopped one")),
    (("database is locked",),
     StoreProblem("the SQLite database stayed locked by another process for 30 s",
                  "stop the other writer, or use PostgreSQL for several workers")),
    (("unable to open database file", "readonly database", "attempt to write a readonly database"),
     StoreProblem("the SQLite database file cannot be opened for writing",
                  "check database_url and the file's permissions", rerun=False)),
    (("connection refused", "could not connect to server", "connection to server", "server closed the connection",
      "terminating connection", "the database system is shutting down", "the database system is starting up"),
     StoreProblem("the database server is not reachable", "start it or check database_url")),
)


def known_store_problem(exc: BaseException) -> StoreProblem | None:
    """The store failure we know `exc` to be, or None."""
    if not isinstance(exc, SQLAlchemyError):
        return None
    said = str(getattr(exc, "orig", None) or exc).lower()
    return next((problem for phrases, problem in _KNOWN if any(phrase in said for phrase in phrases)), None)


def store_problem(exc: BaseException) -> str | None:
    """One line of advice, for the command line, for a store failure we know, or None."""
    problem = known_store_problem(exc)
    return problem.advice if problem else None
