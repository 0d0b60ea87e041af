"""CRM data from CSV: customers, purchases and support cases, with bad rows reported and the rest kept."""

from pathlib import Path

import pytest
from sqlalchemy import select

from config.errors import EarshotError
from storage.engine import session_scope
from storage.imports.customers import import_customers
from storage.models import Customer, CustomerHandle, Purchase, SupportCase


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_customers_purchases_and_cases_from_csv(tmp_path: Path, engine) -> None:
    customers = write(tmp_path / "customers.csv",
                      "id,name,email,city,country,consent_marketing,lifetime_value,handle_x,handle_reddit\n"
                      "C1,Ann Lee,Ann@X.se,Lund,SE,yes,120.5,@AnnLee,\n"
                      "C2,,b@x.se,,,no,,,\n"
                      '"C3","Ek, Bo",bo@x.se,Umeå,SE,false,oops,,\n'
                      "C4,Cy Ng,,,,,,,\n")
    report = import_customers(engine, customers)
    assert report.imported == 2
    assert report.problems == [f"{customers}:3: name: Field required",
                               f"{customers}:4: lifetime_value: Input should be a valid number, unable to parse "
                               f"string as a number"]
    purchases = write(tmp_path / "purchases.csv", "customer,sku,purchased_at,channel\n"
                                                  "C1,NV-A12,2026-01-02,online\nC9,NV-A12,,\n"
                                                  "C4,NV-H3,2026-13-01,\nC1,NV-PB2,,retail\n")
    report = import_customers(engine, purchases)
    assert report.imported == 2 and [p.split(":")[1] for p in report.problems] == ["3", "4"]
    assert "'C9' is not imported yet" in report.problems[0]
    cases = write(tmp_path / "cases.csv", "id,customer,sku,category,opened_at,closed_at,summary\n"
                                          "K1,C1,NV-A12,battery,2026-02-01,,Drains fast\n")
    assert import_customers(engine, cases).imported == 1
    again = write(tmp_path / "customers2.csv", "id,name,segment\nC1,Ann Lee,premium\n")  # no handle columns
    assert import_customers(engine, again).imported == 1
    with session_scope(engine) as session:
        ann = session.scalar(select(Customer).where(Customer.external_id == "C1"))
        assert (ann.consent_marketing, ann.lifetime_value, ann.segment, ann.email_key) == (True, 120.5, "premium",
                                                                                         "ann@x.se")
        assert session.scalars(select(CustomerHandle.handle)).all() == ["annlee"]  # kept: the file had no handles
        assert sorted(session.scalars(select(Purchase.sku).where(Purchase.customer_id == ann.id))) == ["NV-A12",
                                                                                                      "NV-PB2"]
        assert session.scalar(select(SupportCase.summary)) == "Drains fast"
    # a purchases file replaces each listed customer's purchases, and a rerun changes nothing
    for _ in range(2):
        import_customers(engine, write(tmp_path / "p2.csv", "customer,sku\nC1,NV-B1\n"))
    with session_scope(engine) as session:
        assert session.scalars(select(Purchase.sku).where(Purchase.customer_id == ann.id)).all() == ["NV-B1"]


def test_an_unknown_csv_is_one_clear_error(tmp_path: Path, engine) -> None:
    with pytest.raises(EarshotError, match="cannot tell the kind of CSV"):
        import_customers(engine, write(tmp_path / "x.csv", "foo,bar\n1,2\n"))
    with pytest.raises(EarshotError, match="not found"):
        import_customers(engine, tmp_path / "missing.csv")
