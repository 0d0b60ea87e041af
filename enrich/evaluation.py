"""Scores of a classifier against gold labels (sklearn.metrics), shared by the `earshot eval` commands."""

from collections.abc import Sequence
from typing import Any

from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support, recall_score


def multiclass_report(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Macro-averaged recall (TweetEval's measure), accuracy, recall per class, and the confusion matrix
    (rows: gold, columns: predicted, both in `labels` order)."""
    labels = list(labels)
    per_class = recall_score(gold, predicted, labels=labels, average=None, zero_division=0)
    return {
        "posts": len(gold),
        "macro_recall": round(float(per_class.mean()), 4),
        "accuracy": round(float(accuracy_score(gold, predicted)), 4),
        "recall": {label: round(float(value), 4) for label, value in zip(labels, per_class)},
        "support": {label: sum(1 for g in gold if g == label) for label in labels},
        "confusion": {"labels": labels, "matrix": confusion_matrix(gold, predicted, labels=labels).tolist()},
    }


def binary_report(gold: Sequence[bool], predicted: Sequence[bool]) -> dict[str, Any]:
    """Precision, recall and F1 of the positive class, with the counts they come from."""
    precision, recall, f1, _ = precision_recall_fscore_support(
        gold, predicted, labels=[True], average="binary", pos_label=True, zero_division=0)
    true_positives = sum(1 for g, p in zip(gold, predicted, strict=True) if g and p)
    return {
        "posts": len(gold),
        "precision": round(float(precision), 4),
        "recall": round(float(recall), 4),
        "f1": round(float(f1), 4),
        "predicted": sum(map(bool, predicted)),
        "gold": sum(map(bool, gold)),
        "true_positives": true_positives,
    }
