"""Enrichment: NLP over each post (sentiment, products, complaints, questions) and the customer link."""
