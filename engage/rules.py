"""Routing rules: compiled once from config, evaluated in order; the first that matches wins."""

from dataclasses import dataclass
from datetime import timedelta

from config.errors import ConfigError
from config.rules import NO_TEAM, RuleConfig
from engage.conditions import Condition, conditions
from engage.facts import RoutingFacts


@dataclass(frozen=True)
class Rule:
    name: str
    conditions: tuple[Condition, ...]
    team: str
    priority: int
    sla: timedelta | None
    tags: tuple[str, ...]

    @property
    def queues(self) -> bool:
        return self.team != NO_TEAM

    def match(self, facts: RoutingFacts) -> list[str] | None:
        """The reasons every condition holds, or None when one does not."""
        reasons = []
        for condition in self.conditions:
            reason = condition.check(facts)
            if reason is None:
                return None
            reasons.append(reason)
        return reasons or ["no conditions (catch-all)"]


@dataclass(frozen=True)
class RuleCheck:
    """One rule tried on a post: which of its conditions held (with why), and the first that did not."""

    rule: str
    matched: bool
    held: list[str]
    failed: str | None  # the condition's `when` key


def explain(rules: list[Rule], facts: RoutingFacts) -> list[RuleCheck]:
    """Every rule in order up to the one that matches, as `decide` tries them."""
    if facts.own_account:
        return [RuleCheck(OWN_ACCOUNT.name, True, ["posted by one of our own accounts"], None)]
    checks = []
    for rule in rules:
        held, failed = [], None
        for condition in rule.conditions:
            reason = condition.check(facts)
            if reason is None:
                failed = condition.name
                break
            held.append(reason)
        checks.append(RuleCheck(rule.name, failed is None, held or ["no conditions (catch-all)"], failed))
        if failed is None:
            return checks
    return checks + [RuleCheck(NO_MATCH.name, True, [], None)]


@dataclass(frozen=True)
class Decision:
    rule: Rule
    reasons: list[str]


NO_MATCH = Rule(name="(no rule matched)", conditions=(), team=NO_TEAM, priority=4, sla=None, tags=())
OWN_ACCOUNT = Rule(name="(our own account)", conditions=(), team=NO_TEAM, priority=4, sla=None, tags=())


def compile_rules(configs: list[RuleConfig]) -> list[Rule]:
    """Build rules; a bad one is a ConfigError naming the rule and the field at fault."""
    return [_compile(config) for config in configs]


def _compile(config: RuleConfig) -> Rule:
    built = []
    for key, value in config.when.items():
        try:
            built.append(conditions.get(key)(value))
        except ConfigError as exc:
            raise ConfigError(f"rule {config.name!r}: when.{key}: {exc}") from None
        except ValueError as exc:
            raise ConfigError(f"rule {config.name!r}: when.{key}: {exc}") from None
    return Rule(
        name=config.name,
        conditions=tuple(built),
        team=config.team,
        priority=config.priority,
        sla=config.sla,
        tags=tuple(config.tags),
    )


def decide(rules: list[Rule], facts: RoutingFacts) -> Decision:
    """The first rule that matches; posts by our own accounts (and our replies coming back) are never queued."""
    if facts.own_account:
        return Decision(rule=OWN_ACCOUNT, reasons=["posted by one of our own accounts"])
    for rule in rules:
        reasons = rule.match(facts)
        if reasons is not None:
            return Decision(rule=rule, reasons=reasons)
    return Decision(rule=NO_MATCH, reasons=[])
