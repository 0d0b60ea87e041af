"""Query parameters read as one pydantic model, for the busiest endpoints.

FastAPI checks each declared query parameter on its own, and its per-parameter bookkeeping cost the queue listing
more CPU than everything else it does for a shared view (about 0.25 ms of 0.6 per request). Here the query string
is validated by the model in one call; errors answer 422 in FastAPI's own shape (`loc` starts with "query"), and
the parameters are declared in the OpenAPI schema from the model's fields, so the docs show them as before."""

from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


def read_query(model: type[Model], request: Request) -> Model:
    """The request's query string as `model` (the last value of a repeated name, as FastAPI takes it)."""
    try:
        return model.model_validate(dict(request.query_params))
    except ValidationError as exc:
        raise RequestValidationError([
            {**error, "loc": ("query", *error["loc"])} for error in exc.errors(include_url=False)
        ]) from None


def query_parameters(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` for a route that reads its query with `read_query(model, ...)`."""
    schema = model.model_json_schema()
    parameters = []
    for name, field in schema["properties"].items():
        described = {key: value for key, value in field.items() if key not in ("title", "description")}
        parameter = {"name": name, "in": "query", "required": name in schema.get("required", ()), "schema": described}
        if "description" in field:
            parameter["description"] = field["description"]
        parameters.append(parameter)
    return {"parameters": parameters}
