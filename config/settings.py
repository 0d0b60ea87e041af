"""Earshot's settings: `EARSHOT_*` environment variables over the TOML file over these defaults."""

import os
import tomllib
from datetime import time, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from config.errors import ConfigError
from config.rules import DEFAULT_RULES, RuleConfig
from config.targets import Duration, ReplayTarget, Target

DEFAULT_CONFIG_FILE = "earshot.toml"
DEFAULT_DATABASE_URL = "sqlite:///earshot.db"


class BrandSettings(BaseModel):
    """Who "we" are: our own accounts (never queued) and the competitors we compare against."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "Our brand"
    own_accounts: dict[str, list[str]] = Field(default_factory=dict)
    competitors: list[str] = Field(default_factory=list)

    def is_own_account(self, platform: str, handle: str | None) -> bool:
        handles = {h.lower() for h in self.own_accounts.get(platform, [])}
        return bool(handle) and handle.lower() in handles


class LocalModelSettings(BaseModel):
    """A local transformers model folder (never fetched from a hub) and how texts are fed to it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model_path: Path | None = None
    batch_size: int = Field(default=32, ge=1, le=1024)
    max_length: int = Field(default=128, ge=8, le=4096)  # tokens per text; longer texts are cut
    device: str = "auto"  # auto: a GPU when one is present, else the CPU


class TransformersSettings(LocalModelSettings):
    """A local sequence-classification model for the `transformers` sentiment backend."""

    labels: dict[str, Literal["negative", "neutral", "positive"]] = Field(default_factory=dict)
    languages: list[str] = Field(default_factory=lambda: ["en"])


class PurchaseSettings(LocalModelSettings):
    """The `purchases` enricher's optional reader: a purchase-stage model folder (written by
    scripts/train_minilm_stage.py) whose probabilities are blended with the linear model's. None: the linear alone."""

    max_length: int = Field(default=96, ge=8, le=4096)  # scripts/train_minilm_stage.py trains on 96 tokens
    # the reader reads a post only when the linear model's most likely answer has a probability below this;
    # 1.0: every post about us (the most accurate); lower: fewer posts read, faster (see README, Learned extractors)
    read_below: float = Field(default=1.0, ge=0.0, le=1.0)


class EnrichSettings(BaseModel):
    """Which enrichers run, and how many posts they take at once."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sentiment: str = "linear"
    enrichers: list[str] = Field(
        default_factory=lambda: [
            "language", "sentiment", "products", "complaints", "questions", "purchases", "channels", "signals",
            "demographics",
        ]
    )
    languages: list[str] = Field(
        default_factory=lambda: ["en", "sv", "id", "ms", "da", "no", "fi", "de", "nl", "fr", "es", "pt", "it", "tl"],
        min_length=1,
    )  # what language detection chooses from (a short list is faster and more accurate on short posts)
    batch_size: int = Field(default=500, ge=1, le=100_000)
    # processes that run the enrichers, batch by batch, while this one reads and writes the store;
    # 0: one per CPU core. Backends that use every core themselves (transformers) always run in-process.
    workers: int = Field(default=0, ge=0, le=64)
    transformers: TransformersSettings = Field(default_factory=TransformersSettings)
    purchases: PurchaseSettings = Field(default_factory=PurchaseSettings)


class LinkingSettings(BaseModel):
    """How authors are linked to customers: which methods look, and the confidence thresholds that decide."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    methods: list[str] = Field(
        default_factory=lambda: ["exact_handle", "email_in_bio", "website_in_bio", "handle_on_other_platform",
                                 "name_and_place"]
    )
    auto_threshold: float = Field(default=0.95, gt=0, le=1)  # at or above: linked without review
    review_threshold: float = Field(default=0.5, gt=0, le=1)  # at or above: proposed for review; below: ignored

    @model_validator(mode="after")
    def _review_below_auto(self) -> "LinkingSettings":
        if self.review_threshold > self.auto_threshold:
            raise ValueError("review_threshold must not be above auto_threshold")
        return self


class SharePartner(BaseModel):
    """A business we exchange consented segments with; the secret is agreed with them and read from the
    environment variable named here (never written in the config file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    secret_env: str = Field(min_length=1, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")

    def secret(self, name: str) -> bytes:
        value = os.environ.get(self.secret_env, "")
        if len(value) < 16:
            raise ConfigError(f"share partner {name!r}: set {self.secret_env} to the secret agreed with them "
                              f"(at least 16 characters)")
        return value.encode()


class ShareSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    partners: dict[str, SharePartner] = Field(default_factory=dict)

    def partner(self, name: str) -> SharePartner:
        if name not in self.partners:
            known = ", ".join(sorted(self.partners)) or "none configured"
            raise ConfigError(f"unknown share partner {name!r} (configured: {known}); add [share.partners.{name}] "
                              f"with secret_env to the config")
        return self.partners[name]


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class BusinessHours(BaseModel):
    """When a team's SLA clock runs: these days, from `start` to `end` in `timezone` (an IANA name)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = Field(
        default_factory=lambda: list(WEEKDAYS[:5]), min_length=1)
    start: time = time(9)
    end: time = time(17)
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {name!r}; use an IANA name such as Europe/Stockholm") from None
        return name

    @model_validator(mode="after")
    def _a_real_day(self) -> "BusinessHours":
        if self.end <= self.start:
            raise ValueError(f"end ({self.end:%H:%M}) must be after start ({self.start:%H:%M})")
        return self


class TeamSettings(BaseModel):
    """A team that works a queue: its lead gets the items that break their SLA; `auto_assign` hands new items to
    available agents in turn; `approve_replies` holds each reply until a second person approves it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lead: str | None = Field(default=None, max_length=64)
    business_hours: BusinessHours | None = None  # none: SLAs count every hour of the day
    auto_assign: bool = False
    approve_replies: bool = False


DEFAULT_TEAMS = {"pr": TeamSettings(approve_replies=True), "support": TeamSettings()}


CANNED_PLACEHOLDERS = ("first_name", "customer_name", "handle", "product", "case")


class CannedReply(BaseModel):
    """A reply text staff start from; placeholders are filled from the item (see README, Working the queue)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1, max_length=10_000)
    teams: list[str] = Field(default_factory=list)  # empty: every team

    @field_validator("text")
    @classmethod
    def _known_placeholders(cls, text: str) -> str:
        import string

        try:
            names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as exc:
            raise ValueError(f"not a valid template ({exc}); write a literal brace as {{{{ or }}}}") from None
        unknown = sorted(names - set(CANNED_PLACEHOLDERS))
        if unknown:
            raise ValueError(f"unknown placeholder {{{unknown[0]}}}; use {', '.join(CANNED_PLACEHOLDERS)}")
        return text


DEFAULT_CANNED = {
    "apology": CannedReply(text="Hi {first_name}, sorry to hear about your {product}! Could you DM us your order "
                                "number so we can sort it out?", teams=["support"]),
    "case-follow-up": CannedReply(text="Hi {first_name}, thanks for your patience: we are on it under case {case} "
                                       "and will be in touch by email.", teams=["support"]),
    "thanks": CannedReply(text="Thank you, {first_name}! Glad you're enjoying the {product}."),
}


class AlertSettings(BaseModel):
    """Spike alerts on negative and total volume per product and overall, and single viral posts; each alert becomes
    a PR queue item. See analytics/spikes.py for how a window is judged."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    window: Duration = timedelta(hours=1)  # the trend buckets are hourly: a whole number of hours
    baseline: Literal["seasonal", "rolling"] = "seasonal"  # seasonal: the same hour of earlier days
    baseline_windows: int = Field(default=14, ge=3, le=1000)  # windows (or days, when seasonal) in the baseline
    sensitivity: float = Field(default=3.5, gt=0)
    min_volume: int = Field(default=10, ge=1)  # a window with fewer posts never alerts
    min_ratio: float = Field(default=2.0, ge=1)
    cooldown: Duration = timedelta(hours=6)  # one spike, one alert
    measures: list[Literal["negative", "total"]] = Field(default_factory=lambda: ["negative", "total"], min_length=1)
    per_product: bool = True  # a series per product besides the overall one
    viral_engagement: int = Field(default=10_000, ge=1)  # likes + reposts + replies that make a post viral
    team: str = "pr"
    priority: int = Field(default=1, ge=1, le=4)
    sla: Duration = timedelta(hours=1)

    @field_validator("window", "cooldown")
    @classmethod
    def _whole_hours(cls, value: timedelta) -> timedelta:
        if value.total_seconds() % 3600 or value.total_seconds() <= 0:
            raise ValueError(f"must be a whole number of hours, like 1h or 6h (got {value})")
        return value


class EngageSettings(BaseModel):
    """How replies leave Earshot: `dry-run` stores them and logs the request that would be made; `live` sends."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    send_mode: Literal["dry-run", "live"] = "dry-run"
    canned: dict[str, CannedReply] = Field(default_factory=lambda: dict(DEFAULT_CANNED))
    listing_cache_seconds: float = Field(1.0, ge=0, le=60)  # how old a queue view the server may show (0: never
    # shared); see earshot/services/listing_cache.py


class CollectSettings(BaseModel):
    """How collectors hand posts to the store, and how they treat failing APIs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    batch_size: int = Field(default=1000, ge=1, le=100_000)
    retries: int = Field(default=4, ge=0, le=20)
    backoff_seconds: float = Field(default=2.0, gt=0, le=600)
    max_rate_limit_wait: Duration = timedelta(minutes=15)
    recheck_deleted_days: int = Field(default=7, ge=1, le=365)


class ScheduleSettings(BaseModel):
    """The scheduler: how often enrichment and routing drain new posts, and how late a missed run may start."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    drain_every: Duration = timedelta(seconds=30)
    misfire_grace: Duration = timedelta(hours=1)


class WorkerSettings(BaseModel):
    """Workers sharing one store (`earshot worker ...`): how long a claimed batch or the scheduler's leadership is
    held before another process may take it over, how often an idle worker looks for new work, and how far a worker
    stands back for other processes on its machine when the CPU is short (its nice value: the web server, at 0,
    answers people first; 0 here: no standing back)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lease: Duration = timedelta(minutes=2)
    leader_lease: Duration = timedelta(seconds=30)
    poll_every: Duration = timedelta(seconds=2)
    nice: int = Field(default=10, ge=0, le=19)


class XSettings(BaseModel):
    """X API v2 (read with an app bearer token; replies with user credentials, see engage/)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    monthly_read_budget: int | None = Field(default=None, ge=0)


class RedditSettings(BaseModel):
    """Reddit API: read-only application OAuth."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    requests_per_minute: int = Field(default=100, ge=1, le=1000)
    fetch_profiles: bool = True


class Settings(BaseSettings):
    """Everything configurable. Build it with `load_settings`, never at import time."""

    model_config = SettingsConfigDict(
        env_prefix="EARSHOT_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    database_url: str = DEFAULT_DATABASE_URL
    config_file: Path | None = None
    brand: BrandSettings = Field(default_factory=BrandSettings)
    listen: list[Target] = Field(default_factory=list)
    rules: list[RuleConfig] = Field(default_factory=lambda: [RuleConfig(**r) for r in DEFAULT_RULES])
    enrich: EnrichSettings = Field(default_factory=EnrichSettings)
    linking: LinkingSettings = Field(default_factory=LinkingSettings)
    share: ShareSettings = Field(default_factory=ShareSettings)
    engage: EngageSettings = Field(default_factory=EngageSettings)
    teams: dict[str, TeamSettings] = Field(default_factory=lambda: dict(DEFAULT_TEAMS))
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    collect: CollectSettings = Field(default_factory=CollectSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    workers: WorkerSettings = Field(default_factory=WorkerSettings)
    x: XSettings = Field(default_factory=XSettings)
    reddit: RedditSettings = Field(default_factory=RedditSettings)
    x_bearer_token: SecretStr | None = None
    reddit_client_id: SecretStr | None = None
    reddit_client_secret: SecretStr | None = None
    # posting replies needs user credentials: X OAuth 1.0a user context, a Reddit account of a script app
    x_consumer_key: SecretStr | None = None
    x_consumer_secret: SecretStr | None = None
    x_access_token: SecretStr | None = None
    x_access_token_secret: SecretStr | None = None
    reddit_username: SecretStr | None = None
    reddit_password: SecretStr | None = None
    reddit_user_agent: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator("listen")
    @classmethod
    def _target_names_unique(cls, targets: list[Any]) -> list[Any]:
        seen: set[str] = set()
        for target in targets:
            if target.name in seen:
                raise ValueError(f"target name {target.name!r} is used twice; names must be unique")
            seen.add(target.name)
        return targets

    @field_validator("rules")
    @classmethod
    def _rule_names_unique(cls, rules: list[RuleConfig]) -> list[RuleConfig]:
        names = [r.name for r in rules]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"rule names must be unique; repeated: {', '.join(duplicates)}")
        return rules


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """Read settings: overrides > environment > TOML (`config_file`, else $EARSHOT_CONFIG, else ./earshot.toml)."""
    path, explicit = _config_path(config_file)
    file_values = _read_toml(path, explicit)
    if file_values:
        _resolve_replay_paths(file_values, path.parent)
        file_values = _resolve_env_references(file_values, path)

    class _FromFile(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings, env_settings, _DictSource(settings_cls, file_values))

    values = {**overrides}
    if file_values:
        values.setdefault("config_file", path)
    try:
        return _FromFile(**values)
    except ValidationError as exc:
        raise ConfigError(_one_line(exc, path if file_values else None)) from None


class _DictSource(PydanticBaseSettingsSource):
    """Values read from the TOML file, as the lowest-priority settings source."""

    def __init__(self, settings_cls: type[BaseSettings], values: dict[str, Any]) -> None:
        super().__init__(settings_cls)
        self._values = values

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._values)


def _config_path(config_file: str | Path | None) -> tuple[Path, bool]:
    if config_file is not None:
        return Path(config_file), True
    from_env = os.environ.get("EARSHOT_CONFIG")
    if from_env:
        return Path(from_env), True
    return Path(DEFAULT_CONFIG_FILE), False


def _read_toml(path: Path, explicit: bool) -> dict[str, Any]:
    if not path.exists():
        if explicit:
            raise ConfigError(f"config file {path} not found; create it or unset EARSHOT_CONFIG")
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _resolve_env_references(values: Any, path: Path, key: str = "") -> Any:
    """`{ env = "NAME" }` anywhere in the file stands for the environment variable NAME (keeps secrets out)."""
    if isinstance(values, dict):
        if set(values) == {"env"} and isinstance(values["env"], str):
            name = values["env"]
            if name not in os.environ:
                raise ConfigError(f"config error: {path}: {key}: environment variable {name} is not set")
            return os.environ[name]
        return {k: _resolve_env_references(v, path, f"{key}.{k}" if key else k) for k, v in values.items()}
    if isinstance(values, list):
        return [_resolve_env_references(v, path, f"{key}[{i}]") for i, v in enumerate(values)]
    return values


def _resolve_replay_paths(values: dict[str, Any], base: Path) -> None:
    for target in values.get("listen", []):
        if isinstance(target, dict) and target.get("platform") == "replay":
            paths = target.get("path")
            if isinstance(paths, str):
                paths = [paths]
            if isinstance(paths, list):
                target["path"] = [
                    str(base / p) if isinstance(p, str) and not Path(p).is_absolute() else p
                    for p in paths
                ]


def _one_line(exc: ValidationError, path: Path | None) -> str:
    error = exc.errors()[0]
    key = _dotted(error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key (check the spelling; see the README for allowed keys)"
    elif error["type"] == "union_tag_invalid":
        ctx = error.get("ctx", {})
        key = f"{key}.{ctx.get('discriminator', '').strip(chr(39))}"
        message = f"must be one of {ctx.get('expected_tags')} (got {ctx.get('tag')!r})"
    elif error["type"] == "literal_error":
        message = f"{message} (got {error.get('input')!r})"
    where = f"{path}: " if path else ""
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"config error: {where}{key}: {message}{more}"


def _dotted(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item in {"replay", "x", "reddit"} and parts and parts[-1].startswith("["):
            continue  # the discriminator branch pydantic adds to the location
        else:
            parts.append(f".{item}" if parts else str(item))
    return "".join(parts) or "(root)"


def replay_target(name: str, paths: list[str]) -> ReplayTarget:
    """A replay target built in code (used by the demo)."""
    return ReplayTarget(name=name, platform="replay", path=paths)
