"""Keyword-only functions that read and write the store; every stage goes through these.

They may take or return the stages' plain data types (listener.records, enrich.base views),
never call the stages' logic.
"""
