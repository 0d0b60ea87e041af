"""One queue item as staff work it: the post, its thread, the author, the customer panel, why it was routed, notes
and history; and the moves and notes staff make (CLI, API and pages share these)."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from earshot.services.customers import customer_summary
from earshot.services.replying import reply_json
from storage.models import Alert, Author, Customer, CustomerLink, Enrichment, ItemPost, Post
from storage.models.crm import LINKED_STATUSES
from storage.repo.customers import customer_links, owned_products, support_cases
from storage.repo.queue_items import add_note, get_item, item_history, item_notes, move_item, retag
from storage.repo.replies import replies_of

THREAD_LIMIT = 50


def item_detail(session: Session, *, item_id: int) -> dict[str, Any]:
    item = get_item(session, item_id=item_id)
    head = {
        "item": {"id": item.id, "team": item.team, "priority": item.priority, "state": item.state,
                 "assignee": item.assignee, "rule": item.rule, "reasons": item.reasons, "tags": item.tags,
                 "due_at": _iso(item.due_at), "snoozed_until": _iso(item.snoozed_until),
                 "created_at": _iso(item.created_at), "updated_at": _iso(item.updated_at),
                 "alert_id": item.alert_id},
    }
    tail = {
        "notes": [{"author": n.author, "text": n.text, "at": _iso(n.at)} for n in item_notes(session, item_id=item.id)],
        "replies": [reply_json(r) for r in replies_of(session, item_id=item.id)],
        "history": [{"at": _iso(e.at), "actor": e.actor, "action": e.action, **e.detail}
                    for e in item_history(session, item_id=item.id)],
    }
    if item.alert_id is not None:
        return {**head, "alert": _alert(session, item.alert_id), "post": None, "author": None, "customer": None,
                "thread": [], **tail}
    post = session.get(Post, item.post_id)
    author = session.get(Author, post.author_id)
    enrichment = session.get(Enrichment, post.id)
    return {
        **head,
        "alert": None,
        "post": {"id": post.id, "platform": post.platform, "title": post.title, "text": post.text, "url": post.url,
                 "created_at": _iso(post.created_at), "likes": post.like_count, "shares": post.share_count,
                 **_signals(enrichment)},
        "author": {"platform": author.platform, "handle": author.handle, "name": author.display_name,
                   "bio": author.bio, "location": author.location, "followers": author.followers,
                   "verified": author.verified},
        "customer": _customer_panel(session, author.id),
        "thread": _thread(session, post, attached=set(session.scalars(
            select(ItemPost.post_id).where(ItemPost.item_id == item.id)))),
        **tail,
    }


def _alert(session: Session, alert_id: int) -> dict[str, Any]:
    """The alert with the posts driving it (most reach first), for PR to read before acting."""
    alert = session.get(Alert, alert_id)
    rows = session.execute(select(Post, Author, Enrichment).join(Author, Author.id == Post.author_id)
                           .outerjoin(Enrichment, Enrichment.post_id == Post.id)
                           .where(Post.id.in_(alert.top_posts or [])))
    by_id = {post.id: (post, author, enrichment) for post, author, enrichment in rows}
    posts = [{"id": post.id, "platform": post.platform, "text": post.text, "url": post.url,
              "created_at": _iso(post.created_at), "handle": author.handle, "followers": author.followers,
              "engagement": post.like_count + post.share_count + post.reply_count,
              "sentiment": enrichment.sentiment_label if enrichment else None}
             for post, author, enrichment in (by_id[i] for i in alert.top_posts or [] if i in by_id)]
    return {"id": alert.id, "kind": alert.kind, "series": alert.series, "product": alert.product,
            "measure": alert.measure, "window_start": _iso(alert.window_start), "window_end": _iso(alert.window_end),
            "count": alert.count, "baseline": alert.baseline, "score": alert.score, "summary": alert.summary,
            "posts": posts}


def _signals(enrichment: Enrichment | None) -> dict[str, Any]:
    if enrichment is None:
        return {"enriched": False}
    return {"enriched": True, "sentiment": enrichment.sentiment_label, "sentiment_score": enrichment.sentiment_score,
            "products": enrichment.products, "complaint": enrichment.is_complaint,
            "category": enrichment.complaint_category, "question": enrichment.is_question,
            "purchase_stage": enrichment.purchase_stage, "churn": enrichment.is_churn,
            "competitor": enrichment.competitor, "language": enrichment.language}


def _customer_panel(session: Session, author_id: int) -> dict[str, Any] | None:
    """What support needs beside a complaint: who it is, which products (model numbers), earlier cases, handles."""
    customer = session.scalar(
        select(Customer).join(CustomerLink, CustomerLink.customer_id == Customer.id)
        .where(CustomerLink.author_id == author_id, CustomerLink.status.in_(LINKED_STATUSES))
        .order_by(CustomerLink.confidence.desc())
    )
    if customer is None:
        return None
    return {**customer_summary(customer), "products": owned_products(session, customer_id=customer.id),
            "support_cases": support_cases(session, customer_id=customer.id),
            "handles": [link for link in customer_links(session, customer_id=customer.id)
                        if link["status"] != "proposed"]}


def _thread(session: Session, post: Post, *, attached: set[int]) -> list[dict[str, Any]]:
    """The conversation the post belongs to, oldest first (the post itself and those attached to the item marked)."""
    conversation = post.conversation_id or post.external_id
    rows = session.execute(
        select(Post.id, Post.created_at, Post.text, Author.handle)
        .join(Author, Author.id == Post.author_id)
        .where(Post.platform == post.platform, Post.conversation_id == conversation, Post.deleted_at.is_(None))
        .order_by(Post.created_at, Post.id).limit(THREAD_LIMIT)
    )
    return [{"post_id": pid, "at": _iso(at), "text": text, "handle": handle, "this": pid == post.id,
             "attached": pid in attached} for pid, at, text, handle in rows]


def act_on_item(session: Session, *, item_id: int, action: str, user, note: str | None = None,
                assignee: str | None = None, until: datetime | None = None) -> dict[str, Any]:
    move_item(session, item_id=item_id, action=action, actor=user.name, is_admin=user.role == "admin",
              note=note or None, assignee=assignee, until=until)
    return item_detail(session, item_id=item_id)


def note_on_item(session: Session, *, item_id: int, user, text: str) -> dict[str, Any]:
    add_note(session, item_id=item_id, author=user.name, text=text)
    return item_detail(session, item_id=item_id)


def tag_item(session: Session, *, item_id: int, user, add: list[str], remove: list[str]) -> dict[str, Any]:
    retag(session, item_id=item_id, actor=user.name, add=add, remove=remove)
    return item_detail(session, item_id=item_id)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
