"""Import the product catalog (JSON: {"products": [{"sku", "name", "aliases", "category"}]}), upserting by SKU."""

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlmodel import Session

from config.errors import EarshotError
from storage.imports.problems import first_error
from storage.models import Product
from storage.repo.dialect import upsert_insert


class CatalogEntry(BaseModel):
    model_config = ConfigDict(extra="ignore")

    sku: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    category: str | None = None


class CatalogFile(BaseModel):
    model_config = ConfigDict(extra="ignore")

    products: list[CatalogEntry]


def read_catalog(path: Path) -> list[CatalogEntry]:
    try:
        return CatalogFile.model_validate(json.loads(path.read_text(encoding="utf-8"))).products
    except FileNotFoundError:
        raise EarshotError(f"catalog file {path} not found") from None
    except json.JSONDecodeError as exc:
        raise EarshotError(f"{path}: not valid JSON: {exc}") from None
    except ValidationError as exc:
        raise EarshotError(f"{path}: {first_error(exc)}") from None


def import_catalog(session: Session, *, entries: list[CatalogEntry]) -> int:
    if not entries:
        return 0
    statement = upsert_insert(session, Product.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["sku"],
        set_={column: statement.excluded[column] for column in ("name", "aliases", "category")},
    )
    session.execute(statement, [entry.model_dump() for entry in entries])
    return len(entries)
