"""Canned replies (`[engage.canned]`) filled in for one queue item: the customer's first name, the product, the case."""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from config.settings import Settings
from storage.models import Product


def canned_replies(session: Session, settings: Settings, detail: dict[str, Any]) -> list[dict[str, str]]:
    """Every canned reply for the item's team, with its placeholders filled from the item's detail (none for an
    alert, which has no post of its own to answer)."""
    if detail["post"] is None:
        return []
    values = _placeholders(session, detail)
    team = detail["item"]["team"]
    return [{"name": name, "text": reply.text.format(**values)}
            for name, reply in sorted(settings.engage.canned.items()) if not reply.teams or team in reply.teams]


def _placeholders(session: Session, detail: dict[str, Any]) -> dict[str, str]:
    customer, author, post = detail["customer"], detail["author"], detail["post"]
    name = (customer or {}).get("name") or author.get("name") or author.get("handle") or "there"
    skus = list(post.get("products") or []) + [p["sku"] for p in reversed((customer or {}).get("products") or [])]
    names = dict(session.execute(select(Product.sku, Product.name).where(Product.sku.in_(skus))).all()) if skus else {}
    open_cases = [c["id"] for c in (customer or {}).get("support_cases") or [] if c["open"]]
    cases = open_cases or [c["id"] for c in (customer or {}).get("support_cases") or []]
    return {
        "first_name": name.split()[0],
        "customer_name": name,
        "handle": f"@{author.get('handle')}" if author.get("handle") else "",
        "product": names.get(skus[0], skus[0]) if skus else "device",
        "case": cases[0] if cases else "(a new case)",
    }
