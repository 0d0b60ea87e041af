"""The shape of a routing rule in the TOML file (`[[rules]]`); engage/ compiles and evaluates them."""

from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from config.targets import Duration

NO_TEAM = "none"


class RuleConfig(BaseModel):
    """`when` maps condition names to values; all must hold. `team = "none"` means: not queued."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    when: dict[str, Any] = Field(default_factory=dict)
    team: str = Field(min_length=1)
    priority: int = Field(default=3, ge=1, le=4)
    sla: Duration | None = None
    tags: list[str] = Field(default_factory=list)


DEFAULT_RULES: tuple[dict[str, Any], ...] = (
    {"name": "own-accounts", "when": {"own_account": True}, "team": NO_TEAM},
    {
        "name": "pr-high-reach-negative",
        "when": {"sentiment": "negative", "min_followers": 10000},
        "team": "pr",
        "priority": 1,
        "sla": timedelta(hours=1),
    },
    {
        "name": "pr-press",
        "when": {"bio_keywords": ["journalist", "reporter", "editor", "correspondent", "tech writer"]},
        "team": "pr",
        "priority": 2,
        "sla": timedelta(hours=4),
    },
    {
        "name": "support-customer-complaint",
        "when": {"complaint": True, "linked": True},
        "team": "support",
        "priority": 1,
        "sla": timedelta(hours=4),
    },
    {
        "name": "support-complaint",
        "when": {"complaint": True},
        "team": "support",
        "priority": 2,
        "sla": timedelta(hours=8),
    },
    {
        "name": "support-question",
        "when": {"question": True, "mentions_product": True},
        "team": "support",
        "priority": 3,
        "sla": timedelta(hours=24),
    },
    {"name": "default", "when": {}, "team": NO_TEAM},
)
