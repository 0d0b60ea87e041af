"""Due times: an SLA counts every hour, or only the team's business hours (days, start, end, time zone)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from config.errors import ConfigError
from config.settings import BusinessHours
from engage.router import route_pending
from engage.sla import due_time
from enrich.pipeline import enrich_pending
from listener.run import collect
from storage.engine import session_scope
from storage.models import QueueItem
from tests.factories import make_settings, replay_line, replay_settings, write_jsonl

STOCKHOLM = BusinessHours(days=["mon", "tue", "wed", "thu", "fri"], start="09:00", end="17:00",
                          timezone="Europe/Stockholm")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("start", "sla", "due"), [
    (utc(2026, 11, 23, 10, 0), timedelta(hours=4), utc(2026, 11, 23, 14, 0)),  # Mon 11:00 local: same day
    (utc(2026, 11, 27, 15, 0), timedelta(hours=4), utc(2026, 11, 30, 11, 0)),  # Fri 16:00: 1 h, then Mon 09-12
    (utc(2026, 11, 28, 12, 0), timedelta(hours=1), utc(2026, 11, 30, 9, 0)),  # Saturday: from Monday's opening
    (utc(2026, 11, 24, 5, 0), timedelta(hours=1), utc(2026, 11, 24, 9, 0)),  # before opening: from 09:00 local
    (utc(2026, 11, 23, 16, 30), timedelta(hours=1), utc(2026, 11, 24, 9, 0)),  # after closing: next morning
    (utc(2026, 11, 23, 8, 0), timedelta(days=1), utc(2026, 11, 25, 16, 0)),  # 24 working hours: Mon-Wed
    (utc(2026, 3, 27, 15, 0), timedelta(hours=2), utc(2026, 3, 30, 8, 0)),  # over the switch to summer time
])
def test_business_hours_stop_the_clock_outside_opening_times(start, sla, due) -> None:
    assert due_time(start, sla, STOCKHOLM) == due


def test_without_business_hours_every_hour_counts() -> None:
    assert due_time(utc(2026, 11, 27, 15, 0), timedelta(hours=4), None) == utc(2026, 11, 27, 19, 0)
    assert due_time(utc(2026, 11, 27, 15, 0), None, STOCKHOLM) is None


@pytest.mark.parametrize(("hours", "message"), [
    ({"timezone": "Mars/Olympus"}, "teams.support.business_hours.timezone: unknown time zone .Mars/Olympus."),
    ({"start": "17:00", "end": "09:00"}, "end (09:00) must be after start (17:00)"),
    ({"days": ["monday"]}, "teams.support.business_hours.days.0"),
])
def test_bad_business_hours_stop_start_up(tmp_path, hours, message) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make_settings(tmp_path, teams={"support": {"business_hours": hours}})


def test_routing_sets_the_due_time_in_business_hours(tmp_path, engine) -> None:
    posts = write_jsonl(tmp_path / "posts.jsonl", [replay_line(1, text="my aura 12 broke, so disappointed")])
    settings = replay_settings(tmp_path, [posts], teams={"support": {"business_hours": STOCKHOLM.model_dump()}},
                               rules=[{"name": "all", "when": {}, "team": "support", "sla": "2h"}])
    collect(engine, settings)
    enrich_pending(engine, settings)
    before = datetime.now(UTC)
    route_pending(engine, settings)
    with session_scope(engine) as session:
        item = session.scalars(select(QueueItem)).one()
    assert item.due_at == due_time(item.created_at, timedelta(hours=2), STOCKHOLM)
    assert item.due_at >= before + timedelta(hours=2)  # never earlier than round the clock
