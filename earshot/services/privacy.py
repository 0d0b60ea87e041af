"""`earshot forget`: erase a customer or a social author everywhere (see storage/repo/erasure.py)."""

from collections import Counter

from sqlalchemy import func, select
from sqlmodel import Session

from config.errors import EarshotError
from enrich.linking.records import handle_key
from storage.models import Author, Customer
from storage.repo.erasure import forget_author, forget_customer, record_erasure


def forget(session: Session, *, actor: str, customer: str | None = None, author: str | None = None) -> Counter:
    """Erase by the customer's CRM id, or by `platform:handle`; returns how many rows of each kind went."""
    if bool(customer) == bool(author):
        raise EarshotError("say whom to forget: --customer ID or --author PLATFORM:HANDLE (one of them)")
    counts: Counter = Counter()
    if customer:
        row = session.scalar(select(Customer.id).where(Customer.external_id == customer))
        if row is None:
            raise EarshotError(f"no customer {customer!r} to forget (nothing was erased)")
        forget_customer(session, customer_id=row, counts=counts)
        record_erasure(session, actor=actor, kind="customer", counts=counts)
        return counts
    platform, _, handle = (author or "").partition(":")
    if not platform or not handle:
        raise EarshotError(f"--author takes PLATFORM:HANDLE, e.g. x:anna_lq (got {author!r})")
    ids = list(session.scalars(select(Author.id).where(Author.platform == platform,
                                                       func.lower(Author.handle) == handle_key(handle))))
    if not ids:
        raise EarshotError(f"no {platform} author @{handle_key(handle)} to forget (nothing was erased)")
    for author_id in ids:
        forget_author(session, author_id=author_id, counts=counts)
    record_erasure(session, actor=actor, kind="author", counts=counts)
    return counts
