"""What the `earshot eval` commands share: an enrichment context built from a catalog file, and line-aligned files."""

from pathlib import Path

from config.errors import EarshotError
from config.settings import BrandSettings, Settings
from enrich.base import CatalogProduct, EnrichContext
from storage.imports.catalog import read_catalog


def catalog_context(settings: Settings, catalog: Path) -> EnrichContext:
    """Enrichers opened on `catalog`'s brand, products and competitors (the labeled sets are written against one),
    unless the settings name competitors of their own."""
    import json

    entries = read_catalog(catalog)
    document = json.loads(catalog.read_text(encoding="utf-8"))
    competitors = [c["name"] for c in document.get("competitors", [])]
    brand = settings.brand if settings.brand.competitors else BrandSettings(
        name=document.get("brand", settings.brand.name), own_accounts=settings.brand.own_accounts,
        competitors=competitors)
    products = tuple(CatalogProduct(sku=e.sku, name=e.name, aliases=tuple(e.aliases), category=e.category) for e in entries)
    return EnrichContext(settings=settings.model_copy(update={"brand": brand}), products=products)


def read_aligned(texts: Path, labels: Path, allowed: set[str]) -> tuple[list[str], list[str]]:
    """Line-aligned text and label files; a mismatch or a label outside `allowed` is one clear error."""
    for path in (texts, labels):
        if not path.is_file():
            raise EarshotError(f"{path} not found")
    text_lines = texts.read_text(encoding="utf-8").splitlines()
    label_lines = [line.strip() for line in labels.read_text(encoding="utf-8").splitlines()]
    if len(text_lines) != len(label_lines):
        raise EarshotError(f"{texts} has {len(text_lines)} lines but {labels} has {len(label_lines)}; they must align")
    for number, label in enumerate(label_lines, start=1):
        if label not in allowed:
            raise EarshotError(f"{labels}:{number}: label {label!r} is not one of {', '.join(sorted(allowed))}")
    return text_lines, label_lines
