"""Settings, listening targets and routing rules: environment over a TOML file over defaults."""

from config.errors import ConfigError, EarshotError
from config.settings import Settings, load_settings

__all__ = ["ConfigError", "EarshotError", "Settings", "load_settings"]
