"""Imports the built-in enrichers so they register themselves (order here is irrelevant; config orders them)."""

import enrich.channels  # noqa: F401
import enrich.complaints  # noqa: F401
import enrich.demographics  # noqa: F401
import enrich.language  # noqa: F401
import enrich.products  # noqa: F401
import enrich.purchases  # noqa: F401
import enrich.questions  # noqa: F401
import enrich.sentiment.enricher  # noqa: F401
import enrich.signals  # noqa: F401
