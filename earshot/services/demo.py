"""The embedded demo: the fictional brand Nordvik's catalog, customers and replayed posts, shipped in the repo."""

import json
from pathlib import Path

from config.settings import BrandSettings, Settings, replay_target

DEMO_DATA = Path(__file__).parent.parent / "demo" / "data"
CATALOG = DEMO_DATA / "catalog.json"
CUSTOMERS = DEMO_DATA / "customers.jsonl"
REPLAY_FILES = sorted(str(p) for p in (DEMO_DATA / "replay").glob("*.jsonl"))
DEMO_TARGET = "demo-replay"


def demo_settings(settings: Settings) -> Settings:
    """The user's settings with the demo's replay target and, unless configured, the demo brand."""
    catalog = json.loads(CATALOG.read_text(encoding="utf-8"))
    update: dict = {"listen": [replay_target(DEMO_TARGET, REPLAY_FILES)]}
    if "brand" not in settings.model_fields_set:
        update["brand"] = BrandSettings(
            name=catalog["brand"],
            own_accounts=catalog.get("own_accounts", {}),
            competitors=[c["name"] for c in catalog.get("competitors", [])],
        )
    return settings.model_copy(update=update)
