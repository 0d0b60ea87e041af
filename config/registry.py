"""A name -> class registry: how collectors, enrichers and routing conditions are declared once."""

from collections.abc import Iterator
from typing import Generic, TypeVar

from config.errors import ConfigError

T = TypeVar("T")


class Registry(Generic[T]):
    """Plug-ins of one kind, registered by their `name` attribute with the `register` decorator."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._by_name: dict[str, type[T]] = {}

    def register(self, cls: type[T]) -> type[T]:
        name = getattr(cls, "name")
        if name in self._by_name and self._by_name[name] is not cls:
            raise ValueError(f"{self.kind} {name!r} is registered twice")
        self._by_name[name] = cls
        return cls

    def get(self, name: str) -> type[T]:
        try:
            return self._by_name[name]
        except KeyError:
            allowed = ", ".join(sorted(self._by_name)) or "none registered"
            raise ConfigError(f"unknown {self.kind} {name!r}; allowed: {allowed}") from None

    def names(self) -> list[str]:
        return list(self._by_name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[type[T]]:
        return iter(self._by_name.values())

