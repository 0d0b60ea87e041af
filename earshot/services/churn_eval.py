"""`earshot eval churn`: how well churn risk ranks the customers the CRM says have churned (the score never reads
that status), over the customers in the store after `earshot customers refresh`."""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from config.errors import EarshotError
from storage.models import Customer


def evaluate_churn(session: Session, *, threshold: float = 0.5) -> dict[str, Any]:
    rows = session.execute(select(Customer.churn_risk, Customer.status).where(Customer.churn_risk.is_not(None))).all()
    churned = [risk for risk, status in rows if status == "churned"]
    active = [risk for risk, status in rows if status != "churned"]
    if not churned or not active:
        raise EarshotError("no scored customers of both kinds (churned and active): import customers, run "
                           "`earshot enrich` and `earshot customers refresh` first (or `earshot demo`)")
    flagged = [(risk, status) for risk, status in rows if risk >= threshold]
    right = sum(status == "churned" for _, status in flagged)
    return {
        "customers": len(rows), "churned": len(churned),
        "auc": round(_auc(churned, active), 4),
        "threshold": threshold,
        "precision": round(right / len(flagged), 4) if flagged else None,
        "recall": round(right / len(churned), 4),
        "mean_risk_churned": round(sum(churned) / len(churned), 3),
        "mean_risk_active": round(sum(active) / len(active), 3),
    }


def _auc(positives: list[float], negatives: list[float]) -> float:
    """The chance that a churned customer scores above an active one (ties count half): ROC AUC."""
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))
