"""The error types every stage raises for problems a user can fix (shown as one line by the CLI)."""


class EarshotError(Exception):
    """A problem the user can act on; its message is one line that says what to do."""


class ConfigError(EarshotError):
    """A configuration value is missing or not allowed."""


class NotConfigured(EarshotError):
    """A plug-in switched itself off (missing credentials, nothing to do); the others run on."""
