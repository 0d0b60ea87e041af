"""Customer links: the profiles and customers linking reads, saving links, and reviewing them (every change audited)."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlmodel import Session

from config.errors import EarshotError
from enrich.linking import AuthorProfile, CustomerDirectory, CustomerRecord, LinkCandidate, handle_key
from enrich.linking.directory import NameStats
from enrich.linking.records import emails_in, name_key, name_tokens, websites_in
from storage.models import AuditEvent, Author, Customer, CustomerHandle, CustomerLink
from storage.models.crm import LINK_STATUSES, LINKED_STATUSES
from storage.repo.dialect import upsert_insert
from storage.types import utcnow

SYSTEM_ACTOR = "earshot"


def author_profiles(session: Session, *, author_ids: Iterable[int]) -> list[AuthorProfile]:
    rows = session.execute(
        select(Author.id, Author.platform, Author.handle, Author.display_name, Author.bio, Author.location)
        .where(Author.id.in_(sorted(set(author_ids)))).order_by(Author.id)
    )
    return [AuthorProfile(id=r.id, platform=r.platform, handle=r.handle, name=r.display_name, bio=r.bio,
                          location=r.location) for r in rows]


def authors_with_links(session: Session, *, author_ids: Iterable[int]) -> set[int]:
    """Authors already linked (auto or confirmed) to a customer: one author is one person, so they are done."""
    rows = session.scalars(select(CustomerLink.author_id).where(
        CustomerLink.author_id.in_(sorted(set(author_ids))), CustomerLink.status.in_(LINKED_STATUSES)))
    return set(rows)


def authors_due_for_lookup(session: Session, *, author_ids: Iterable[int], crm_changed_at: datetime) -> set[int]:
    """Authors never looked up, or not since their profile or the CRM last changed (the rest would find the same)."""
    rows = session.scalars(select(Author.id).where(
        Author.id.in_(sorted(set(author_ids))),
        or_(Author.link_checked_at.is_(None), Author.link_checked_at < Author.updated_at,
            Author.link_checked_at < crm_changed_at)))
    return set(rows)


def mark_looked_up(session: Session, *, author_ids: Iterable[int]) -> None:
    session.execute(update(Author).where(Author.id.in_(sorted(set(author_ids)))).values(link_checked_at=utcnow()))


def crm_changed_at(session: Session) -> datetime:
    """When a customer was last imported or changed (the epoch for an empty CRM)."""
    return session.scalar(select(func.max(Customer.updated_at))) or datetime(1970, 1, 1, tzinfo=UTC)


def customer_directory(session: Session, *, authors: Sequence[AuthorProfile]) -> CustomerDirectory:
    """Only the customers these authors' handles, e-mails, websites and first names point at, with name counts."""
    handles = {handle_key(a.handle) for a in authors if a.handle}
    emails = {email for a in authors for email in emails_in(a.bio)}
    websites = {site for a in authors for site in websites_in(a.bio)}
    first_names = {tokens[0] for a in authors if len(tokens := name_tokens(a.name)) >= 2}
    conditions = []
    if handles:
        conditions.append(Customer.id.in_(select(CustomerHandle.customer_id).where(
            CustomerHandle.handle.in_(sorted(handles)))))
    if emails:
        conditions.append(Customer.email_key.in_(sorted(emails)))
    if websites:
        conditions.append(Customer.website_key.in_(sorted(websites)))
    if first_names:
        conditions.append(Customer.first_name_key.in_(sorted(first_names)))
    if not conditions:
        return CustomerDirectory([], NameStats())
    customers = session.scalars(select(Customer).where(or_(*conditions)).order_by(Customer.id)).all()
    listed: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for customer_id, platform, handle in session.execute(
        select(CustomerHandle.customer_id, CustomerHandle.platform, CustomerHandle.handle)
        .where(CustomerHandle.customer_id.in_([c.id for c in customers]))
    ):
        listed[customer_id].append((platform, handle))
    records = [CustomerRecord(id=c.id, external_id=c.external_id, name=c.name, email=c.email, city=c.city,
                              country=c.country, website=c.website, handles=tuple(sorted(listed[c.id])))
               for c in customers]
    return CustomerDirectory(records, _name_stats(session, customers))


def _name_stats(session: Session, customers: Sequence[Customer]) -> NameStats:
    """CRM-wide counts for just the first names, last names, cities and countries of these customers."""
    def counts(column, values) -> dict[Any, int]:
        if not values:
            return {}
        rows = session.execute(select(column, func.count()).where(column.in_(sorted(values))).group_by(column))
        return {value: count for value, count in rows}

    cities = counts(Customer.city, {c.city for c in customers if c.city})
    return NameStats(
        total=session.scalar(select(func.count()).select_from(Customer)) or 0,
        first_names=counts(Customer.first_name_key, {c.first_name_key for c in customers if c.first_name_key}),
        last_names=counts(Customer.last_name_key, {c.last_name_key for c in customers if c.last_name_key}),
        cities={name_key(city): count for city, count in cities.items()},
        countries={(country or "").upper(): count for country, count in
                   counts(Customer.country, {c.country for c in customers if c.country}).items()},
    )


def save_links(session: Session, *, candidates: Sequence[LinkCandidate], actor: str = SYSTEM_ACTOR) -> int:
    """Add links not known yet, each with an audit event; a known pair (even rejected) is left as it is."""
    if not candidates:
        return 0
    known = session.execute(
        select(CustomerLink.author_id, CustomerLink.customer_id).where(
            CustomerLink.author_id.in_({c.author_id for c in candidates})
        )
    )
    existing = {(author_id, customer_id) for author_id, customer_id in known}
    fresh = [c for c in candidates if (c.author_id, c.customer_id) not in existing]
    if not fresh:
        return 0
    now = utcnow()
    statement = upsert_insert(session, CustomerLink.__table__).on_conflict_do_nothing(
        index_elements=["author_id", "customer_id"]
    )
    session.execute(statement, [{**asdict(c), "created_at": now} for c in fresh])
    ids = dict(((a, c), i) for i, a, c in session.execute(
        select(CustomerLink.id, CustomerLink.author_id, CustomerLink.customer_id).where(
            CustomerLink.author_id.in_({c.author_id for c in fresh}))))
    session.add_all([
        AuditEvent(at=now, actor=actor, action=f"link.{c.status}", link_id=ids[(c.author_id, c.customer_id)],
                   detail={"to": c.status, "method": c.method, "confidence": c.confidence})
        for c in fresh
    ])
    return len(fresh)


def count_linked_authors(session: Session) -> int:
    return session.scalar(
        select(func.count(func.distinct(CustomerLink.author_id))).where(CustomerLink.status.in_(LINKED_STATUSES))
    ) or 0


@dataclass(frozen=True)
class LinkView:
    """A link as staff review it: who the author is, who the customer is, and why they were matched."""

    id: int
    status: str
    method: str
    confidence: float
    evidence: dict[str, Any]
    author_id: int
    platform: str
    handle: str | None
    display_name: str | None
    bio: str | None
    location: str | None
    customer_id: str
    customer_name: str
    customer_city: str | None
    customer_country: str | None
    created_at: datetime
    updated_at: datetime | None
    decided_by: str | None


def list_links(session: Session, *, status: str | None = None, limit: int = 50, offset: int = 0) -> list[LinkView]:
    """Links, the most confident first (for review: `status="proposed"`)."""
    query = _link_views()
    if status:
        query = query.where(CustomerLink.status == status)
    rows = session.execute(query.order_by(CustomerLink.confidence.desc(), CustomerLink.id).limit(limit).offset(offset))
    return [LinkView(*row) for row in rows]


def count_links(session: Session, *, status: str | None = None) -> int:
    query = select(func.count()).select_from(CustomerLink)
    if status:
        query = query.where(CustomerLink.status == status)
    return session.scalar(query) or 0


def get_link(session: Session, *, link_id: int) -> LinkView:
    row = session.execute(_link_views().where(CustomerLink.id == link_id)).first()
    if row is None:
        raise LinkNotFound(f"no customer link {link_id}; list them with `earshot links list`")
    return LinkView(*row)


def _link_views():
    return (
        select(CustomerLink.id, CustomerLink.status, CustomerLink.method, CustomerLink.confidence,
               CustomerLink.evidence, Author.id, Author.platform, Author.handle, Author.display_name, Author.bio,
               Author.location, Customer.external_id, Customer.name, Customer.city, Customer.country,
               CustomerLink.created_at, CustomerLink.updated_at, CustomerLink.decided_by)
        .join(Author, Author.id == CustomerLink.author_id)
        .join(Customer, Customer.id == CustomerLink.customer_id)
    )


def set_link_status(session: Session, *, link_id: int, status: str, actor: str, note: str | None = None) -> LinkView:
    """Confirm, reject or unlink (linked -> rejected) a pair; every change is an audit event. Confirming one customer
    for an author rejects that author's other open proposals, since one author is one person."""
    if status not in LINK_STATUSES or status in ("auto", "proposed"):
        raise EarshotError(f"a link can be set to confirmed or rejected, not {status!r}")
    link = session.get(CustomerLink, link_id)
    if link is None:
        raise LinkNotFound(f"no customer link {link_id}; list them with `earshot links list`")
    _change(session, link, status, actor, note)
    if status == "confirmed":
        others = session.scalars(select(CustomerLink).where(
            CustomerLink.author_id == link.author_id, CustomerLink.id != link.id,
            CustomerLink.status.in_(("proposed", *LINKED_STATUSES))))
        for other in others:
            _change(session, other, "rejected", actor, f"author confirmed as link {link.id}")
    session.flush()
    return get_link(session, link_id=link_id)


def _change(session: Session, link: CustomerLink, status: str, actor: str, note: str | None) -> None:
    if link.status == status:
        return
    now = utcnow()
    session.add(AuditEvent(at=now, actor=actor, action=f"link.{status}", link_id=link.id,
                           detail={"from": link.status, "to": status, **({"note": note} if note else {})}))
    link.status, link.updated_at, link.decided_by = status, now, actor
    session.add(link)


def link_history(session: Session, *, link_id: int) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.link_id == link_id).order_by(AuditEvent.id)))


class LinkNotFound(EarshotError):
    """No customer link with that id."""
