"""The `questions` enricher: does the post ask something that expects an answer (en, sv, id)."""

import re

from enrich.base import Enricher, EnrichItem, enrichers

_URL = re.compile(r"https?://\S+")
# Openers that ask even without a question mark ("anyone know how to reset the halo").
_OPENERS = re.compile(
    r"^\s*(?:@\w+\s+)*(?:how\s+(?:do|can|to|does)|does\s+any(?:one|body)|any(?:one|body)\s+(?:know|else|tried|have)"
    r"|is\s+there\s+(?:a|any)\s+way|hur\s+(?:gör|får|kan|funkar)|vet\s+någon|någon\s+som\s+(?:vet|har)"
    r"|gimana\s+(?:cara|sih)|bagaimana\s+cara|apakah|ada\s+yang\s+(?:tahu|tau|punya|pernah))\b",
    re.IGNORECASE,
)


@enrichers.register
class QuestionEnricher(Enricher):
    name = "questions"
    version = "1"

    def enrich(self, items: list[EnrichItem]) -> None:
        for item in items:
            item.result["is_question"] = is_question(item.post.full_text)


def is_question(text: str) -> bool:
    without_urls = _URL.sub(" ", text)
    if "?" in without_urls:
        return True
    return any(_OPENERS.match(sentence) for sentence in re.split(r"[.!\n]+", without_urls) if sentence.strip())
