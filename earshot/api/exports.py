"""JSON API for exports: posts, queue items or trends as CSV, JSON Lines, JSON or Parquet downloads."""

import tempfile
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import Response, StreamingResponse

from analytics.exports.filters import ExportFilters
from analytics.exports.personal import PERSONAL_ROLES
from analytics.trends import parse_day
from config.errors import EarshotError
from earshot.api.access import Reader
from earshot.services.exports import plan_export, run_export

router = APIRouter(prefix="/api", tags=["analytics"])


@router.get("/exports/{kind}")
def download(
    request: Request,
    user: Reader,
    kind: Annotated[str, Path(pattern="^(posts|queue|trends)$")],
    format: Annotated[str, Query(pattern="^(csv|jsonl|json|parquet)$")] = "csv",
    interval: Annotated[str, Query(pattern="^(hour|day|week)$")] = "day",
    by: Annotated[str | None, Query(max_length=32)] = None,
    product: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[str | None, Query(max_length=32)] = None,
    until: Annotated[str | None, Query(max_length=32)] = None,
    personal: bool = False,
) -> Response:
    """Posts, queue items or trends as a file: the same exports as `earshot export` (and the analyst page's
    downloads), written to a temporary file (bounded memory) and streamed. `personal=true` adds the personal fields:
    admins and analysts only, audited."""
    state = request.app.state
    if personal and user.role not in PERSONAL_ROLES:
        raise HTTPException(403, f"personal fields are exported only by {' or '.join(PERSONAL_ROLES)} users")
    try:
        filters = ExportFilters(since=parse_day(since), until=parse_day(until), product=product or None,
                                interval=interval if kind == "trends" else None,
                                group_by=(by or None) if kind == "trends" else None)
        plan = plan_export(state.engine, state.settings, kind=kind, fmt=format, filters=filters,
                           include_personal=personal, actor=user.name)
        spool = tempfile.TemporaryFile()
        run_export(plan, spool, file_name=plan.file_name)
    except EarshotError as exc:
        raise HTTPException(422, str(exc)) from exc
    spool.seek(0)

    def chunks():
        with spool:
            while block := spool.read(1 << 16):
                yield block

    return StreamingResponse(chunks(), media_type=plan.media_type,
                             headers={"Content-Disposition": f'attachment; filename="{plan.file_name}"'})
