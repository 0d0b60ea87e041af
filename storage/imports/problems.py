"""Turning a pydantic validation error into the one-line reason an import report shows."""

from pydantic import ValidationError


def first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"]) or "(row)"
    return f"{field}: {error['msg'].removeprefix('Value error, ')}"
