"""Routing rules: validated at start with the rule and field named, first match wins, reasons kept."""

from datetime import timedelta

import pytest

from config.errors import ConfigError
from config.rules import DEFAULT_RULES, RuleConfig
from engage.facts import RoutingFacts
from engage.rules import compile_rules, decide


def rules(*configs: dict):
    return compile_rules([RuleConfig(**config) for config in configs])


def facts(**kwargs) -> RoutingFacts:
    return RoutingFacts(post_id=1, platform=kwargs.pop("platform", "x"), text=kwargs.pop("text", "hello"), **kwargs)


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ({"min_followers": "lots"}, "rule 'r': when.min_followers: must be a number (got 'lots')"),
        ({"complaint": "yes"}, "rule 'r': when.complaint: must be true or false (got 'yes')"),
        ({"sentiment": []}, "rule 'r': when.sentiment: must be a string or a list of strings"),
        ({"keywords": "refund"}, "rule 'r': when.keywords: must be a non-empty list of strings"),
        ({"folowers": 3}, "rule 'r': when.folowers: unknown routing condition 'folowers'; allowed:"),
        ({"lifecycle": ["vip"]}, "rule 'r': when.lifecycle: unknown value(s) vip; use one of prospect, customer"),
        ({"purchase_stage": "bought"}, "rule 'r': when.purchase_stage: unknown value(s) bought; use one of"),
        ({"min_value": True}, "rule 'r': when.min_value: must be a number (got True)"),
    ],
)
def test_invalid_rules_name_the_rule_and_field(when: dict, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        rules({"name": "r", "when": when, "team": "pr"})
    assert str(raised.value).startswith(message)


def test_first_matching_rule_wins_and_says_why() -> None:
    compiled = rules(
        {"name": "loud-and-angry", "when": {"sentiment": "negative", "min_followers": 1000}, "team": "pr", "priority": 1},
        {"name": "angry", "when": {"sentiment": ["negative"]}, "team": "support", "priority": 2},
        {"name": "rest", "when": {}, "team": "none"},
    )
    loud = decide(compiled, facts(sentiment_label="negative", followers=50_000))
    quiet = decide(compiled, facts(sentiment_label="negative", followers=10))
    happy = decide(compiled, facts(sentiment_label="positive", followers=50_000))
    assert (loud.rule.name, loud.rule.team) == ("loud-and-angry", "pr")
    assert loud.reasons == ["sentiment label is negative", "followers 50,000 >= 1,000"]
    assert (quiet.rule.name, quiet.rule.team) == ("angry", "support")
    assert (happy.rule.name, happy.rule.queues, happy.reasons) == ("rest", False, ["no conditions (catch-all)"])


def test_no_rule_matching_means_not_queued() -> None:
    decision = decide(rules({"name": "only-pr", "when": {"platform": "reddit"}, "team": "pr"}), facts())
    assert decision.rule.queues is False


@pytest.mark.parametrize(
    ("when", "matching", "not_matching"),
    [
        ({"complaint": True}, {"is_complaint": True}, {"is_complaint": False}),
        ({"question": False}, {"is_question": False}, {"is_question": True}),
        ({"linked": True}, {"customer_id": 7}, {"customer_id": None}),
        ({"own_account": False}, {}, {"own_account": True}),
        ({"mentions_product": True}, {"products": ("NV-A12",)}, {"products": ()}),
        ({"product": ["nv-a12"]}, {"products": ("NV-A12",)}, {"products": ("NV-B1",)}),
        ({"platform": "reddit"}, {"platform": "reddit"}, {"platform": "x"}),
        ({"language": ["sv", "id"]}, {"language": "id"}, {"language": "en"}),
        ({"complaint_category": "battery"}, {"complaint_category": "battery"}, {"complaint_category": "billing"}),
        ({"max_score": -0.5}, {"sentiment_score": -0.8}, {"sentiment_score": 0.1}),
        ({"min_score": 0.5}, {"sentiment_score": 0.8}, {"sentiment_score": None}),
        ({"keywords": ["refund", "lawsuit"]}, {"text": "I want a REFUND now"}, {"text": "refunds are slow"}),
        ({"bio_keywords": ["reporter"]}, {"author_bio": "Tech reporter at The Ledger"}, {"author_bio": None}),
        ({"purchase_stage": "returned"}, {"purchase_stage": "returned"}, {"purchase_stage": "purchased"}),
        ({"churn": True}, {"is_churn": True}, {"is_churn": False}),
        ({"referral": True}, {"is_referral": True}, {"is_referral": False}),
        ({"lifecycle": ["at_risk", "advocate"]}, {"lifecycle_stage": "at_risk"}, {"lifecycle_stage": None}),
        ({"segment": "enterprise"}, {"customer_segment": "Enterprise"}, {"customer_segment": "consumer"}),
        ({"min_value": 5000}, {"customer_value": 12_500.0}, {"customer_value": 4_999.0}),
        ({"min_churn_risk": 0.6}, {"churn_risk": 0.71}, {"churn_risk": None}),
    ],
)
def test_each_condition(when: dict, matching: dict, not_matching: dict) -> None:
    compiled = rules({"name": "r", "when": when, "team": "support"})
    assert decide(compiled, facts(**matching)).rule.name == "r"
    assert decide(compiled, facts(**not_matching)).rule.queues is False


def test_default_rules_compile_and_route_sensibly() -> None:
    compiled = compile_rules([RuleConfig(**rule) for rule in DEFAULT_RULES])
    own = decide(compiled, facts(own_account=True, is_complaint=True))
    customer = decide(compiled, facts(is_complaint=True, customer_id=3))
    influencer = decide(compiled, facts(sentiment_label="negative", followers=250_000, is_complaint=True))
    assert own.rule.queues is False
    assert (customer.rule.team, customer.rule.priority, customer.rule.sla) == ("support", 1, timedelta(hours=4))
    assert influencer.rule.team == "pr"


def test_own_accounts_are_never_queued_whatever_the_rules_say() -> None:
    catch_all = rules({"name": "everything-to-pr", "when": {}, "team": "pr"})
    decision = decide(catch_all, facts(own_account=True, is_complaint=True))
    assert decision.rule.queues is False and decision.rule.name == "(our own account)"
