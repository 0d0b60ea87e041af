"""The purchase-stage reader: a local transformer folder whose probabilities the `purchases` enricher blends with
its linear model's (tiny models built here, no hub), and scripts/train_minilm_stage.py that writes one."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import BertForSequenceClassification, BertModel

from config.errors import ConfigError
from enrich.base import CatalogProduct, EnrichContext, PostView
from enrich.batch import open_enrichers, run_enrichers
from enrich.local_models import model_digest
from enrich.purchases import NO_STAGE, STAGES
from enrich.stage_reader import blend
from tests.factories import make_settings, training_script
from tests.tiny_models import tiny_config, tiny_tokenizer

CLASSES = (NO_STAGE, *STAGES)
CATALOG = (CatalogProduct(sku="NV-A12", name="Nordvik Aura 12", aliases=("aura 12", "aura12")),)
ENRICHERS = ["language", "sentiment", "products", "purchases"]


def sure_reader(folder: Path, stage: str, labels: tuple[str, ...] = CLASSES) -> Path:
    """A tiny model that answers `stage` for every text, all but certain (its head reads nothing but its bias)."""
    torch.manual_seed(0)
    model = BertForSequenceClassification(tiny_config(dict(enumerate(labels))))
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.copy_(torch.tensor([30.0 if label == stage else 0.0 for label in labels]))
    model.save_pretrained(folder)
    tiny_tokenizer().save_pretrained(folder)
    return folder


def opened(tmp_path: Path, **purchases) -> list:
    settings = make_settings(tmp_path, enrich={"purchases": purchases} if purchases else {})
    return open_enrichers(ENRICHERS, EnrichContext(settings=settings, products=CATALOG))


def enriched(active: list, texts: list[str]) -> list:
    return run_enrichers(active, [PostView(id=n, platform="x", author_id=1, text=t, language="en")
                                  for n, t in enumerate(texts)])


def stages(active: list, texts: list[str]) -> list[str | None]:
    return [item.result["purchase_stage"] for item in enriched(active, texts)]


def texts_read(monkeypatch: pytest.MonkeyPatch, enricher) -> list[list[str]]:
    """The texts the enricher's reader is given from now on, a list per call."""
    seen: list[list[str]] = []
    model = enricher.reader.model
    scored = model.probabilities

    def recording(texts: list[str], *args):
        seen.append(list(texts))
        return scored(texts, *args)

    monkeypatch.setattr(model, "probabilities", recording)
    return seen


def test_blend_is_a_normalised_geometric_mean() -> None:
    linear = np.array([[0.7, 0.1, 0.1, 0.05, 0.05], [0.2, 0.2, 0.2, 0.2, 0.2]])
    reader = np.array([[0.1, 0.8, 0.05, 0.03, 0.02], [0.2, 0.2, 0.2, 0.2, 0.2]])
    mixed = blend(linear, reader)
    assert np.allclose(mixed.sum(axis=1), 1.0)
    expected = np.sqrt(linear[0] * reader[0])
    assert np.allclose(mixed[0], expected / expected.sum())
    assert mixed[0].argmax() == 1  # the reader's sure "considering" outweighs the linear model's 0.7 "none"
    assert np.allclose(mixed[1], 0.2)  # two indifferent models stay indifferent
    assert np.allclose(blend(linear, linear), linear)
    assert np.allclose(blend(linear, reader, weight=0.0), linear) and np.allclose(blend(linear, reader, 1.0), reader)


def test_the_reader_reads_and_changes_only_posts_about_us(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["Thinking about getting the Aura 12, worth it?", "Just bought a new sofa",
             "Just picked up my Aura 12 today"]
    [*_, linear] = active = opened(tmp_path)
    assert stages(active, texts) == ["considering", None, "purchased"]
    assert linear.reader is None and linear.worker_safe and linear.version == "2"

    [*_, enricher] = active = opened(tmp_path, model_path=str(sure_reader(tmp_path / "returned-reader", "returned")))
    read = texts_read(monkeypatch, enricher)
    assert stages(active, texts) == ["returned", None, "returned"]
    assert read == [[texts[0], texts[2]]]  # the sofa is not about us: never read, never given a stage
    assert stages(active, ["The weather is nice today"]) == [None]
    enriched(active, [])
    assert len(read) == 1  # a batch with nothing about us, or nothing at all, is not handed to the reader
    assert enricher.version.startswith("2+returned-reader@")  # stored per post: --rerun purchases redoes old rows
    assert not enricher.worker_safe  # torch uses every core itself: the stage runs in one process


def test_the_reader_reads_only_where_the_linear_model_is_unsure(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["Thinking about getting the Aura 12, worth it?", "Just picked up my Aura 12 today"]
    linear_stages = ["considering", "purchased"]
    reader = str(sure_reader(tmp_path / "returned-reader", "returned"))
    unread = enriched(opened(tmp_path, model_path=reader, read_below=0.0), texts)  # reads nothing
    assert [item.result["purchase_stage"] for item in unread] == linear_stages
    confidence = [item.details["purchases"]["confidence"] for item in unread]  # the linear model's top probability
    assert confidence[0] != confidence[1]
    between = sum(confidence) / 2  # only the post the linear model is less sure of is read
    [*_, enricher] = active = opened(tmp_path, model_path=reader, read_below=between)
    read = texts_read(monkeypatch, enricher)
    found = stages(active, texts)
    less_sure = int(np.argmin(confidence))
    assert read == [[texts[less_sure]]]
    assert found == ["returned" if n == less_sure else stage for n, stage in enumerate(linear_stages)]
    assert enricher.version.endswith(f"<{between:g}")  # results read under another bar are another version


def test_a_missing_or_foreign_model_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"enrich.purchases.model_path .* is not a model folder.*train-minilm-stage"):
        opened(tmp_path, model_path=str(tmp_path / "nowhere"))
    sentiment_model = sure_reader(tmp_path / "sentiment", "positive", ("negative", "neutral", "positive"))
    with pytest.raises(ConfigError, match=r"answers \['negative', 'neutral', 'positive'\], not the stages"):
        opened(tmp_path, model_path=str(sentiment_model))


LABELED = [("i love this aura 12", "recommending"), ("this is my aura 12", None), ("i hate this aura 12", "returned"),
           ("it is broken", None), ("the phone is great", "purchased"), ("this aura 12", "considering")]  # two of
# them name no product of ours: the held-out figures give those no stage, as the enricher does


def write_rows(path: Path, prefix: str, split: str | None = None, times: int = 2) -> None:
    rows = [{"id": f"{prefix}{n}", "text": f"{text} {prefix}{n}", "lang": "en", "platform": "x",
             "gold": {"purchase_stage": stage}, **({"split": split} if split else {})}
            for n, (text, stage) in enumerate(LABELED * times)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def test_the_script_writes_a_reader_the_enricher_loads_and_scores_new_writers(tmp_path: Path, capsys) -> None:
    encoder = tmp_path / "encoder"
    torch.manual_seed(0)
    BertModel(tiny_config({0: "LABEL_0", 1: "LABEL_1"})).save_pretrained(encoder)
    tiny_tokenizer().save_pretrained(encoder)
    training = tmp_path / "training"
    training.mkdir()
    write_rows(training / "train_en_a.jsonl", "a", times=5)  # five of each stage: the linear model's folds
    write_rows(training / "train_writer_m.jsonl", "m")
    gold = tmp_path / "gold.jsonl"
    write_rows(gold, "g", split="dev")
    with gold.open("a", encoding="utf-8") as file:  # the test split is never read
        file.write(json.dumps({"id": "t1", "split": "test", "text": "never read", "gold": {"purchase_stage": None}}))
    script = training_script("train_minilm_stage")
    common = ["--training", str(training), "--gold", str(gold), "--base", str(encoder), "--epochs", "2",
              "--threads", "1", "--quiet"]

    held = script.main([*common, "--holdout-writers", "--out", str(tmp_path / "held")])
    assert held["trained_on"] == 30  # train_en_a only: the writer's file and gold dev are held out
    assert set(held["held_out"]) == {"linear", "reader", "blend", "blend, reader weight 0.3",
                                     "blend, reader weight 0.7", *(f"blend, read_below {b}" for b in script.READ_BELOW)}
    assert set(held["held_out"]["linear"]) == {"new_writers", "gold_dev"}
    assert all(0 <= f <= 1 for figures in held["held_out"].values() for f in figures.values())
    shares = [held["held_out"][f"blend, read_below {below}"]["share_read"] for below in script.READ_BELOW]
    assert shares == sorted(shares) and shares[-1] > 0  # a higher bar sends more posts about us to the reader
    assert "blend: stage F1 new writers" in capsys.readouterr().out

    meta = script.main([*common, "--out", str(tmp_path / "reader")])
    assert meta["trained_on"] == 54 and "held_out" not in meta  # everything but the gold test split
    assert meta["version"].startswith("stage.") and meta["version"] != held["version"]
    config = json.loads((tmp_path / "reader" / "config.json").read_text())
    assert tuple(config["id2label"][str(i)] for i in range(5)) == CLASSES
    assert json.loads((tmp_path / "reader" / "training.json").read_text())["classes"] == list(CLASSES)
    [*_, enricher] = opened(tmp_path, model_path=str(tmp_path / "reader"))
    scored = enricher.reader.model.probabilities(["this phone", "i love this phone"], 8, 16)
    assert scored.shape == (2, 5) and np.allclose(scored.sum(axis=1), 1.0)
    digest = model_digest(tmp_path / "reader")
    assert enricher.version == f"2+reader@{digest}"
    record = tmp_path / "reader" / "training.json"  # holds timings: an identical retrain is the same version
    record.write_text(record.read_text().replace('"train_seconds"', '"seconds"'))
    assert model_digest(tmp_path / "reader") == digest
