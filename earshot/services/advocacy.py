"""The advocates list for marketing (CLI, API and page share it)."""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from storage.repo.advocacy import Advocate, advocates


def advocates_list(session: Session, *, days: int | None = None, limit: int = 50) -> list[dict[str, Any]]:
    since = datetime.now(UTC) - timedelta(days=days) if days else None
    return [advocate_json(a) for a in advocates(session, since=since, limit=limit)]


def advocate_json(advocate: Advocate) -> dict[str, Any]:
    return {
        "platform": advocate.platform, "handle": advocate.handle, "display_name": advocate.display_name,
        "followers": advocate.followers, "recommendations": advocate.recommendations, "reach": advocate.reach,
        "products": sorted(advocate.products), "last_at": advocate.last_at.isoformat() if advocate.last_at else None,
        "customer_id": advocate.customer_id, "customer_name": advocate.customer_name,
        "marketing_consent": advocate.marketing_consent, "evidence": advocate.evidence,
    }
