"""The customers who agreed to have their data shared with partners (`consent.share`), for `earshot share`."""

from collections import defaultdict

from sqlalchemy import select
from sqlmodel import Session

from crm.sharing import ShareableCustomer
from storage.models import Customer, Purchase


def shareable_customers(session: Session, *, stages: tuple[str, ...] = (),
                        products: tuple[str, ...] = ()) -> list[ShareableCustomer]:
    query = select(Customer).where(Customer.consent_share.is_(True)).order_by(Customer.id)
    if stages:
        query = query.where(Customer.lifecycle_stage.in_(stages))
    customers = session.scalars(query).all()
    owned: dict[int, set[str]] = defaultdict(set)
    for customer_id, sku in session.execute(select(Purchase.customer_id, Purchase.sku)
                                            .where(Purchase.customer_id.in_([c.id for c in customers]))):
        owned[customer_id].add(sku)
    return [ShareableCustomer(c.external_id, c.email, c.phone, c.country, c.lifecycle_stage,
                              tuple(sorted(owned[c.id])))
            for c in customers if not products or owned[c.id] & set(products)]
