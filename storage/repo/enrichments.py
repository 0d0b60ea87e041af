"""Reading posts due for enrichment and writing their results (one row per post, replaced on rerun)."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlmodel import Session

from enrich.base import ENRICHED_CHARACTERS, CatalogProduct, PostView
from storage.models import Author, Enrichment, Post, Product
from storage.repo.claims import add_work, drop_work
from storage.repo.dialect import upsert_insert

_ENRICHMENT_COLUMNS = [c.name for c in Enrichment.__table__.columns if c.name != "post_id"]
_NOT_NULL_DEFAULTS = {
    "products": list, "is_complaint": bool, "is_question": bool, "is_churn": bool, "is_referral": bool,
    "details": dict, "versions": dict,
}


def posts_to_enrich(session: Session, *, post_ids: Sequence[int]) -> list[PostView]:
    """These posts as the enrichers read them, in id order."""
    return _views(session, _view_query().where(Post.id.in_(list(post_ids))).order_by(Post.id))


def posts_by_id(session: Session, *, after_id: int, limit: int, enriched_only: bool = False) -> list[PostView]:
    """Posts with id > after_id (with `enriched_only`: those that have an enrichment), oldest id first: what a rerun
    walks (new posts are claimed instead: storage/repo/claims.py)."""
    query = _view_query().where(Post.id > after_id).order_by(Post.id).limit(limit)
    if enriched_only:
        query = query.join(Enrichment, Enrichment.post_id == Post.id)
    return _views(session, query)


def _view_query() -> Select:
    return (select(Post.id, Post.platform, Post.author_id, _first(Post.text), _first(Post.title), Post.language,
                   Author.handle, _first(Author.bio), _first(Author.location))
            .join(Author, Author.id == Post.author_id))


def _views(session: Session, query: Select) -> list[PostView]:
    return [
        PostView(
            id=row.id,
            platform=row.platform,
            author_id=row.author_id,
            text=row.text,
            title=row.title,
            language=row.language,
            author_handle=row.handle,
            author_bio=row.bio,
            author_location=row.location,
        )
        for row in session.execute(query)
    ]


def _first(column):
    """What an enricher reads of a text column (enrich/base.py): the rest of a huge one is not even loaded."""
    return func.substr(column, 1, ENRICHED_CHARACTERS).label(column.key)


def save_enrichments(session: Session, *, rows: Sequence[dict[str, Any]]) -> None:
    """Insert or replace the enrichment of each post in `rows` (dicts of Enrichment columns): the posts are done
    for the enrich stage and due for routing (storage/repo/claims.py)."""
    if not rows:
        return
    rows = [_complete(row) for row in rows]
    statement = upsert_insert(session, Enrichment.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["post_id"], set_={column: statement.excluded[column] for column in _ENRICHMENT_COLUMNS}
    )
    session.execute(statement, list(rows))
    post_ids = [row["post_id"] for row in rows]
    drop_work(session, stage="enrich", post_ids=post_ids)
    add_work(session, stage="route", post_ids=post_ids)


def load_catalog(session: Session) -> tuple[CatalogProduct, ...]:
    products = session.scalars(select(Product).order_by(Product.sku))
    return tuple(
        CatalogProduct(sku=p.sku, name=p.name, aliases=tuple(p.aliases or ()), category=p.category) for p in products
    )


def _complete(row: dict[str, Any]) -> dict[str, Any]:
    """Every column present (executemany needs one shape); an enricher that did not run leaves its default."""
    complete = {column: row.get(column) for column in _ENRICHMENT_COLUMNS}
    for column, default in _NOT_NULL_DEFAULTS.items():
        if complete[column] is None:
            complete[column] = default()
    complete["post_id"] = row["post_id"]
    return complete


def stored_enrichments(session: Session, *, post_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The stored enrichment columns of these posts, by post id."""
    rows = session.execute(select(Enrichment.__table__).where(Enrichment.post_id.in_(list(post_ids)))).mappings()
    return {row["post_id"]: dict(row) for row in rows}
