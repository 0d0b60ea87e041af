"""The `transformers` sentiment backend on a tiny model built here with transformers + tokenizers (no hub)."""

import os
from pathlib import Path

import pytest
import torch
from transformers import BertForSequenceClassification

from config.errors import ConfigError
from config.settings import TransformersSettings
from enrich.base import EnrichContext
from enrich.batch import open_enrichers
from enrich.sentiment.transformer import TransformersBackend
from tests.factories import make_settings, post_view
from tests.tiny_models import EXAMPLES, tiny_config, tiny_tokenizer


def build_model(folder: Path, labels: dict[int, str]) -> Path:
    tokenizer, config = tiny_tokenizer(), tiny_config(labels)
    torch.manual_seed(0)
    model = BertForSequenceClassification(config)
    encoded = tokenizer([text for text, _ in EXAMPLES], padding=True, return_tensors="pt")
    targets = torch.tensor([label for _, label in EXAMPLES])
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for _ in range(150):
        optimizer.zero_grad()
        model(**encoded, labels=targets).loss.backward()
        optimizer.step()
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    return build_model(tmp_path_factory.mktemp("tiny-sentiment"), {0: "NEG", 1: "NEU", 2: "POS"})


def backend(path: Path | None, **options) -> TransformersBackend:
    opened = TransformersBackend(TransformersSettings(model_path=path, **options))
    opened.open()
    return opened


def test_scores_with_the_local_model(model_dir: Path) -> None:
    scores = backend(model_dir).score(["i love this phone", "it is broken", "it is the phone"])
    assert [s.label for s in scores] == ["positive", "negative", "neutral"]
    assert scores[0].score > 0.5 and scores[1].score < -0.5 and all(-1 <= s.score <= 1 for s in scores)
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_batches_and_truncation_do_not_change_results(model_dir: Path) -> None:
    texts = [text for text, _ in EXAMPLES] * 3
    whole = backend(model_dir, batch_size=64).score(texts)
    small = backend(model_dir, batch_size=5).score(texts)
    assert [s.label for s in whole] == [s.label for s in small]
    assert [round(s.score, 3) for s in whole] == [round(s.score, 3) for s in small]
    long = backend(model_dir, max_length=8).score(["i love this phone " * 50])
    assert long[0].label == "positive"


def test_texts_batched_by_length_come_back_in_their_order(model_dir: Path) -> None:
    texts = ["it is the phone it is the phone it is the phone", "i love this phone", "broken",
             "it is broken and i hate it", "love"]
    opened = backend(model_dir, batch_size=2)  # the two shortest, then the next two, then the longest
    together = opened.score(texts)
    assert together == [opened.score([text])[0] for text in texts]
    assert [s.label for s in together[:3]] == ["neutral", "positive", "negative"]  # so the order matters


def test_unsupported_languages_are_marked(tmp_path: Path, model_dir: Path) -> None:
    from enrich.base import EnrichItem

    settings = make_settings(tmp_path, enrich={"sentiment": "transformers",
                                               "transformers": {"model_path": str(model_dir)}})
    [sentiment] = open_enrichers(["sentiment"], EnrichContext(settings=settings))
    english = EnrichItem(post=post_view("i hate this phone"), result={"language": "en"})
    swedish = EnrichItem(post=post_view("jag hatar den", id=2), result={"language": "sv"})
    sentiment.enrich([english, swedish])
    assert english.result["sentiment_label"] == "negative" and english.result["sentiment_version"].startswith("tiny")
    assert swedish.result["sentiment_label"] is None and swedish.details["sentiment"] == {"unsupported_language": "sv"}


def test_missing_or_wrong_model_path_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="needs enrich.transformers.model_path"):
        backend(None)
    with pytest.raises(ConfigError, match="is not a model folder"):
        backend(tmp_path / "nowhere")


def test_label_names_are_mapped(tmp_path: Path) -> None:
    conventional = build_model(tmp_path / "conventional", {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})
    assert backend(conventional).score(["i love this phone"])[0].label == "positive"
    odd = build_model(tmp_path / "odd", {0: "sad", 1: "meh", 2: "glad"})
    with pytest.raises(ConfigError, match="cannot tell what the model's labels"):
        backend(odd)
    mapped = backend(odd, labels={"sad": "negative", "meh": "neutral", "glad": "positive"})
    assert mapped.score(["it is broken"])[0].label == "negative"


def test_a_retrained_model_in_the_same_folder_is_a_new_version(tmp_path: Path) -> None:
    first = backend(build_model(tmp_path / "model", {0: "NEG", 1: "NEU", 2: "POS"})).version
    assert first.startswith("model@") and first == backend(tmp_path / "model").version
    config = tmp_path / "model" / "config.json"
    config.write_text(config.read_text().replace('"NEU"', '"NEUTRAL"'))
    assert backend(tmp_path / "model").version not in (first, "")
