"""Linking a social author to a customer record. For now: the exact handle the customer gave us."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

EXACT_HANDLE = "exact_handle"


@dataclass(frozen=True)
class AuthorIdentity:
    id: int
    platform: str
    handle: str | None


@dataclass(frozen=True)
class LinkCandidate:
    author_id: int
    customer_id: int
    method: str
    confidence: float
    status: str
    evidence: dict[str, Any] = field(default_factory=dict)


def handle_key(handle: str) -> str:
    return handle.strip().lstrip("@").lower()


def exact_handle_candidates(
    authors: Iterable[AuthorIdentity], customers_by_handle: Mapping[tuple[str, str], list[int]]
) -> list[LinkCandidate]:
    """One automatic link per author whose handle exactly one customer listed; shared handles are proposed."""
    candidates = []
    for author in authors:
        if not author.handle:
            continue
        owners = customers_by_handle.get((author.platform, handle_key(author.handle)), [])
        unique = len(owners) == 1
        for customer_id in owners:
            candidates.append(
                LinkCandidate(
                    author_id=author.id,
                    customer_id=customer_id,
                    method=EXACT_HANDLE,
                    confidence=1.0 if unique else 0.5,
                    status="auto" if unique else "proposed",
                    evidence={"handle": author.handle, "platform": author.platform, "customers_with_handle": len(owners)},
                )
            )
    return candidates
