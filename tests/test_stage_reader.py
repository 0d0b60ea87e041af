"""The purchase-stage reader: a local transformer folder whose probabilities the `purchases` enricher blends with
its linear model's (tiny models built here, no hub), and scripts/train_minilm_stage.py that writes one."""

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import BertForSequenceClassification, BertModel

from config.errors import ConfigError
from enrich.base import CatalogProduct, EnrichContext, PostView
from enrich.batch import open_enrichers, run_enrichers
from enrich.purchases import NO_STAGE, STAGES, blend
from tests.factories import make_settings
from tests.test_transformers_backend import tiny_config, tiny_tokenizer

ROOT = Path(__file__).resolve().parent.parent
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


def enriched(tmp_path: Path, texts: list[str], **purchases) -> tuple[list, object]:
    settings = make_settings(tmp_path, enrich={"purchases": purchases} if purchases else {})
    active = open_enrichers(ENRICHERS, EnrichContext(settings=settings, products=CATALOG))
    items = run_enrichers(active, [PostView(id=n, platform="x", author_id=1, text=t, language="en")
                                   for n, t in enumerate(texts)])
    return items, active[-1]


def stages(tmp_path: Path, texts: list[str], **purchases) -> tuple[list, object]:
    items, enricher = enriched(tmp_path, texts, **purchases)
    return [item.result["purchase_stage"] for item in items], enricher


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


def test_the_reader_changes_stages_only_of_posts_about_us(tmp_path: Path) -> None:
    texts = ["Thinking about getting the Aura 12, worth it?", "Just picked up my Aura 12 today",
             "Just bought a new sofa"]
    alone, linear = stages(tmp_path, texts)
    assert alone[:2] == ["considering", "purchased"] and alone[2] is None
    assert linear.reader is None and linear.worker_safe and linear.version == "2"

    reader = sure_reader(tmp_path / "returned-reader", "returned")
    read, enricher = stages(tmp_path, texts, model_path=str(reader))
    assert read == ["returned", "returned", None]  # a post not about us is never given a stage
    assert enricher.version.startswith("2+returned-reader@")  # stored per post: --rerun purchases redoes old rows
    assert not enricher.worker_safe  # torch uses every core itself: the stage runs in one process


def test_the_reader_reads_only_where_the_linear_model_is_unsure(tmp_path: Path) -> None:
    texts = ["Thinking about getting the Aura 12, worth it?", "Just picked up my Aura 12 today"]
    reader = sure_reader(tmp_path / "returned-reader", "returned")
    unread, _ = enriched(tmp_path, texts, model_path=str(reader), read_below=0.0)  # reads nothing
    assert [item.result["purchase_stage"] for item in unread] == ["considering", "purchased"]
    sure = [item.details["purchases"]["confidence"] for item in unread]  # the linear model's top probability
    assert sure[0] != sure[1]
    bar = sum(sure) / 2  # between the two: only the less sure post is read
    found, enricher = stages(tmp_path, texts, model_path=str(reader), read_below=bar)
    assert enricher.version.endswith(f"<{bar:g}")  # results read under another bar are another version
    assert found == ["returned" if confidence < bar else stage
                     for confidence, stage in zip(sure, ["considering", "purchased"], strict=True)]
    assert "returned" in found and found != ["returned", "returned"]


def test_a_missing_or_foreign_model_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"enrich.purchases.model_path .* is not a model folder.*train-minilm-stage"):
        stages(tmp_path, ["x"], model_path=str(tmp_path / "nowhere"))
    sentiment_model = sure_reader(tmp_path / "sentiment", "positive", ("negative", "neutral", "positive"))
    with pytest.raises(ConfigError, match=r"answers \['negative', 'neutral', 'positive'\], not the stages"):
        stages(tmp_path, ["x"], model_path=str(sentiment_model))


def load_script():
    """scripts/train_minilm_stage.py as a module."""
    if "train_minilm_stage" not in sys.modules:
        sys.path.insert(0, str(ROOT / "scripts"))
        spec = importlib.util.spec_from_file_location("train_minilm_stage", ROOT / "scripts" / "train_minilm_stage.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["train_minilm_stage"] = module
        spec.loader.exec_module(module)
    return sys.modules["train_minilm_stage"]


LABELED = [("i love this phone", "recommending"), ("this is my phone", None), ("i hate this phone", "returned"),
           ("it is broken", None), ("the phone is great", "purchased"), ("this phone", "considering")]


def write_rows(path: Path, prefix: str, split: str | None = None) -> None:
    rows = [{"id": f"{prefix}{n}", "text": f"{text} {prefix}{n}", "lang": "en", "platform": "x",
             "gold": {"purchase_stage": stage}, **({"split": split} if split else {})}
            for n, (text, stage) in enumerate(LABELED * 2)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


@pytest.fixture
def one_thread():
    """Tiny models train fastest on one thread; the thread count is put back (other tests' models depend on it)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_the_script_writes_a_reader_the_enricher_loads_and_scores_new_writers(tmp_path: Path, capsys,
                                                                              one_thread) -> None:
    encoder = tmp_path / "encoder"
    torch.manual_seed(0)
    BertModel(tiny_config({0: "LABEL_0", 1: "LABEL_1"})).save_pretrained(encoder)
    tiny_tokenizer().save_pretrained(encoder)
    training = tmp_path / "training"
    training.mkdir()
    write_rows(training / "train_en_a.jsonl", "a")
    write_rows(training / "train_writer_m.jsonl", "m")
    gold = tmp_path / "gold.jsonl"
    write_rows(gold, "g", split="dev")
    with gold.open("a", encoding="utf-8") as file:  # the test split is never read
        file.write(json.dumps({"id": "t1", "split": "test", "text": "never read", "gold": {"purchase_stage": None}}))
    script = load_script()
    common = ["--training", str(training), "--gold", str(gold), "--base", str(encoder), "--epochs", "2",
              "--threads", "1", "--quiet"]

    held = script.main([*common, "--holdout-writers", "--out", str(tmp_path / "held")])
    assert held["trained_on"] == 12  # train_en_a only: the writer's file and gold dev are held out
    assert {"linear", "reader", "blend", "blend, read_below 0.7"} <= set(held["held_out"])
    assert all(0 <= f <= 1 for figures in held["held_out"].values() for f in figures.values())
    shares = [held["held_out"][f"blend, read_below {below}"]["share_read"] for below in script.READ_BELOW]
    assert shares == sorted(shares)  # a higher bar sends more posts to the reader
    assert "blend: stage F1 new writers" in capsys.readouterr().out

    meta = script.main([*common, "--out", str(tmp_path / "reader")])
    assert meta["trained_on"] == 36 and "held_out" not in meta  # everything but the gold test split
    assert meta["version"].startswith("stage.") and meta["version"] != held["version"]
    config = json.loads((tmp_path / "reader" / "config.json").read_text())
    assert tuple(config["id2label"][str(i)] for i in range(5)) == CLASSES
    assert json.loads((tmp_path / "reader" / "training.json").read_text())["classes"] == list(CLASSES)
    found, enricher = stages(tmp_path, ["Just picked up my Aura 12 today"], model_path=str(tmp_path / "reader"))
    assert enricher.reader is not None and found[0] in (None, *STAGES)
