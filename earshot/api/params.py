"""Path parameters shared by the API and the pages."""

from typing import Annotated

from fastapi import Path

MAX_ROW_ID = 2**31 - 1  # the largest id every store keeps (PostgreSQL's integer columns): a larger one is a 422, not
# an overflow deep in the database driver

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="The store's id.")]
