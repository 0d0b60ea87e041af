"""Importers that load business data files (product catalog, CRM customers) into the store."""
