"""The closed sets of values enrichers write and the rest of Earshot filters by (kept free of heavy imports, so
routing and the web UI can validate against them without loading the NLP stack)."""

SENTIMENT_LABELS = ("negative", "neutral", "positive")
PURCHASE_STAGES = ("considering", "purchased", "returned", "recommending")
COMPLAINT_CATEGORIES = ("battery", "defect", "software", "shipping", "billing", "service", "other")
