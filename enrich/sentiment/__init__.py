"""Sentiment backends behind one interface; the `sentiment` enricher runs the configured one."""

from enrich.sentiment.base import SentimentBackend, SentimentScore, sentiment_backends

__all__ = ["SentimentBackend", "SentimentScore", "sentiment_backends"]
