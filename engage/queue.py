"""The queue's states and what may move an item between them (the rules only; `storage/repo/queue_items.py`
applies them and writes the audit trail).

    new ──claim/assign──▶ assigned ──reply──▶ replied ──resolve──▶ resolved ──reopen──▶ new
     ▲  ◀─────release─────┘   │                                    ▲
     │                        └───────────────resolve──────────────┘
    snoozed / escalated: from any open state; wake returns to new (or assigned when someone has it)
"""

from dataclasses import dataclass

from config.errors import EarshotError

STATES = ("new", "assigned", "replied", "resolved", "snoozed", "escalated")
OPEN = ("new", "assigned", "replied", "snoozed", "escalated")


@dataclass(frozen=True)
class Move:
    action: str
    sources: tuple[str, ...]
    target: str  # "back": new, or assigned when the item has an assignee


MOVES = {move.action: move for move in (
    Move("claim", ("new", "snoozed", "escalated"), "assigned"),
    Move("assign", ("new", "assigned", "snoozed", "escalated"), "assigned"),
    Move("release", ("assigned",), "new"),
    Move("reply", ("assigned", "escalated"), "replied"),
    Move("resolve", ("new", "assigned", "replied", "snoozed", "escalated"), "resolved"),
    Move("reopen", ("resolved",), "back"),
    Move("snooze", ("new", "assigned", "replied"), "snoozed"),
    Move("escalate", ("new", "assigned", "replied", "snoozed"), "escalated"),
    Move("wake", ("snoozed",), "back"),
)}


class QueueMoveRefused(EarshotError):
    """The item is not in a state this action applies to (or someone else has it)."""


def next_state(action: str, state: str, *, assignee: str | None) -> str:
    move = MOVES.get(action)
    if move is None:
        raise QueueMoveRefused(f"unknown action {action!r}; use one of {', '.join(MOVES)}")
    if state not in move.sources:
        raise QueueMoveRefused(f"cannot {action} an item that is {state} (only when {', '.join(move.sources)})")
    if move.target == "back":
        return "assigned" if assignee else "new"
    return move.target
