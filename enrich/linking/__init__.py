"""Linking social authors to customer records: each method proposes candidates with evidence, thresholds decide.

`records` holds what is compared (profiles, customers, their normalised keys), `directory` the customers a batch of
authors could be, `methods` the registered ways to find them, and `decide` turns candidates into links.
"""

from enrich.linking.decide import Linker, LinkThresholds, link_authors
from enrich.linking.directory import CustomerDirectory
from enrich.linking.records import AuthorProfile, CustomerRecord, LinkCandidate, handle_key

__all__ = ["AuthorProfile", "CustomerDirectory", "CustomerRecord", "LinkCandidate", "Linker", "LinkThresholds",
           "handle_key", "link_authors"]
