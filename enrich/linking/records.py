"""What linking compares: an author's public profile, a customer record, and the normalised keys both are read by."""

import re
from dataclasses import dataclass, field
from typing import Any

from enrich.places import fold

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.IGNORECASE)
_WEBSITE = re.compile(
    r"(?<![@\w.])(?:https?://)?(?:www\.)?((?:[a-z0-9-]+\.)+[a-z]{2,}(?:/[\w./~-]*)?)(?![\w@])", re.IGNORECASE
)
_NOT_LETTERS = re.compile(r"[^\w\s'-]|[\d_]")


@dataclass(frozen=True)
class AuthorProfile:
    id: int
    platform: str
    handle: str | None = None
    name: str | None = None
    bio: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class CustomerRecord:
    id: int
    external_id: str
    name: str
    email: str | None = None
    city: str | None = None
    country: str | None = None
    website: str | None = None
    handles: tuple[tuple[str, str], ...] = ()  # (platform, handle key)


@dataclass(frozen=True)
class LinkCandidate:
    author_id: int
    customer_id: int
    method: str
    confidence: float
    status: str = "proposed"
    evidence: dict[str, Any] = field(default_factory=dict)


def handle_key(handle: str) -> str:
    return handle.strip().lstrip("@").lower()


def email_key(email: str) -> str:
    return email.strip().lower()


def website_key(url: str) -> str:
    """"https://www.Anna.se/" and "anna.se" meet: no scheme, no www., no trailing slash, lower case."""
    key = re.sub(r"^(?:https?://)?(?:www\.)?", "", url.strip(), flags=re.IGNORECASE)
    return key.rstrip("/").lower()


def name_tokens(name: str | None) -> list[str]:
    """"Emma S. ✨" -> ["emma", "s"]; "Anna-Karin Åberg" -> ["anna-karin", "aberg"]. Emoji and digits are dropped."""
    if not name:
        return []
    return [token.strip("'-") for token in _NOT_LETTERS.sub(" ", fold(name)).split() if token.strip("'-")]


def name_key(name: str | None) -> str:
    return " ".join(name_tokens(name))


def emails_in(text: str | None) -> list[str]:
    return [email_key(m.group(0)) for m in _EMAIL.finditer(text or "")]


def websites_in(text: str | None) -> list[str]:
    if not text:
        return []
    without_emails = _EMAIL.sub(" ", text)
    return [website_key(m.group(1)) for m in _WEBSITE.finditer(without_emails)]
