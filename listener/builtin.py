"""Imports the built-in collectors so they register themselves."""

import listener.replay  # noqa: F401
import listener.x  # noqa: F401
import listener.reddit  # noqa: F401
