"""Automatic assignment: each waiting item of a team that assigns automatically (`[teams.NAME] auto_assign`) goes to
the team's available agent who was assigned longest ago (round-robin), among those under their capacity and with
the item's skills (language, product). An item nobody can take stays in the team queue; an item someone released
is not offered to them again."""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from config.settings import Settings
from storage.engine import session_scope
from storage.repo.agents import AgentLoad, agents_of_team, released_by, waiting_items
from storage.repo.queue_items import move_item
from storage.types import utcnow

ACTOR = "auto-assign"
_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Need:
    """What an item asks of whoever takes it."""

    language: str | None
    products: frozenset[str]


def can_take(agent: AgentLoad, need: Need) -> bool:
    if agent.load >= agent.capacity:
        return False
    if agent.languages and need.language and need.language.lower() not in agent.languages:
        return False
    return not (agent.products and need.products and not agent.products & need.products)


def pick_agent(agents: list[AgentLoad], need: Need, *, exclude: frozenset[str] = frozenset()) -> AgentLoad | None:
    """The next agent in turn: the one assigned longest ago (never first), by name when tied."""
    able = [agent for agent in agents if agent.name not in exclude and can_take(agent, need)]
    return min(able, key=lambda a: (a.last_assigned_at or _NEVER, a.name), default=None)


def assign_waiting(engine: Engine, settings: Settings) -> Counter:
    """One pass over every auto-assigning team's waiting items, most urgent first; a rerun assigns only what is new
    or what someone has room for now."""
    counts: Counter = Counter()
    for team, config in sorted(settings.teams.items()):
        if not config.auto_assign:
            continue
        with session_scope(engine) as session:
            agents = {agent.name: agent for agent in agents_of_team(session, team=team)}
            if not agents:
                continue
            items = waiting_items(session, team=team)
            refused = released_by(session, item_ids=[item.id for item in items])
            for item in items:
                agent = pick_agent(list(agents.values()), Need(item.language, frozenset(item.products)),
                                   exclude=refused.get(item.id, frozenset()))
                if agent is None:
                    counts["waiting"] += 1
                    continue
                now = utcnow()
                move_item(session, item_id=item.id, action="assign", actor=ACTOR, assignee=agent.name,
                          note=f"round-robin: {agent.load + 1} of {agent.capacity} open items")
                agents[agent.name] = agent.took_one(now)
                counts["assigned"] += 1
            for agent in agents.values():
                agent.save_turn(session)
    return counts
