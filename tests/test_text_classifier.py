"""The learned extractors: model files, their training script, and what the enrichers do with them."""

import json
from pathlib import Path

import numpy as np
import pytest

from config.errors import ConfigError
from enrich.complaints import CATEGORIES, CUE_COLUMNS, lexicon_category, lexicon_says_complaint
from enrich.sentiment.linear import LinearBackend, PostFeaturizer, shared_featurizer
from enrich.text_classifier import MODELS, TextClassifier, load_classifier
from tests.factories import training_script


@pytest.fixture(scope="module")
def featurizer() -> PostFeaturizer:
    return PostFeaturizer()


def test_features_are_computed_once_per_batch(featurizer: PostFeaturizer, monkeypatch) -> None:
    calls = []
    transform = featurizer.featurizer.transform
    monkeypatch.setattr(featurizer.featurizer, "transform", lambda texts: calls.append(texts) or transform(texts))
    texts = ["my halo died", "love it", "batteriet dör"]
    first = featurizer.features(texts)
    assert featurizer.features(list(texts)) is first  # the same batch again: the cached blocks
    part = featurizer.features(["batteriet dör", "my halo died"])  # some of the batch (as sentiment asks): sliced
    assert np.allclose(part.dense, first.dense[[2, 0]]) and (part.chars != first.chars[[2, 0]]).nnz == 0
    assert len(calls) == 1
    featurizer.features(["something new"])
    assert len(calls) == 2
    assert np.allclose(first.dense[:, -3:].sum(axis=1), 1.0)  # the sentiment probabilities close the dense block


def test_a_classifier_round_trips_through_its_file(tmp_path: Path, featurizer: PostFeaturizer) -> None:
    features = featurizer.features(["it broke", "works great", "meh"])
    rng = np.random.default_rng(0)
    words, chars = features.words.shape[1], features.chars.shape[1]
    dense = features.dense.shape[1] + 2
    model = TextClassifier(("a", "b", "c"), ("x", "y"), rng.normal(size=(words, 3)), rng.normal(size=(chars, 3)),
                           rng.normal(size=(dense, 3)), np.zeros(3), meta={"version": "t-1"})
    model.save(tmp_path / "m.npz")
    loaded = TextClassifier.load(tmp_path / "m.npz")
    cues = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    assert loaded.classes == ("a", "b", "c") and loaded.cue_columns == ("x", "y") and loaded.version == "t-1"
    assert np.allclose(loaded.probabilities(features, cues), model.probabilities(features, cues), atol=0.05)
    assert np.allclose(loaded.probabilities(features, cues).sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="expected 2 cue columns"):
        loaded.probabilities(features, cues[:, :1])


def test_missing_or_mismatched_model_files_say_how_to_rebuild(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found; build it with .*scripts/train_extractors.py"):
        TextClassifier.load(tmp_path / "none.npz")
    with pytest.raises(ConfigError, match="expects cues .* retrain"):
        load_classifier("complaint", ("something", "else"))


@pytest.mark.parametrize("name", ["complaint", "complaint_category", "purchase_stage"])
def test_shipped_models_load_and_say_what_they_were_trained_on(name: str) -> None:
    model = TextClassifier.load(MODELS / f"{name}.npz")
    trained = model.meta["trained_on"]
    assert model.version.startswith(name + "-") and trained["rows"] >= 400
    assert set(trained["class_counts"]) == set(model.classes)


def test_the_lexicon_category_prefers_a_specific_issue() -> None:
    cues = np.zeros(len(CUE_COLUMNS))
    assert lexicon_category(cues) is None
    cues[CATEGORIES.index("other")] = 1
    assert lexicon_category(cues) is None  # general dissatisfaction names no category
    cues[CATEGORIES.index("billing")] = 1 / 3
    assert CATEGORIES[lexicon_category(cues)] == "billing"


def test_the_lexicon_net_needs_a_specific_issue_in_a_post_that_is_not_positive() -> None:
    cues = np.zeros((3, len(CUE_COLUMNS)))
    cues[:2, CATEGORIES.index("defect")] = 1 / 3
    cues[2, CATEGORIES.index("other")] = 1
    sentiment = np.array([[0.6, 0.3, 0.1], [0.1, 0.2, 0.7], [0.8, 0.1, 0.1]])
    assert lexicon_says_complaint(cues, sentiment).tolist() == [True, False, False]


def test_the_linear_backend_and_the_extractors_share_one_loaded_model() -> None:
    backend = LinearBackend()
    backend.open()
    assert backend.model is shared_featurizer().sentiment
    backend.prepare(["my halo died", "hej"])
    assert backend.probabilities(["hej"]).shape == (1, 3)


def test_the_training_script_builds_models_the_enrichers_load(tmp_path: Path) -> None:
    """A small labeled set in, three model files out, that separate the posts they were trained on."""
    script = training_script("train_extractors")
    complaints = [("my aura 12 battery dies by noon", "battery"), ("charged twice for my order, no refund", "billing"),
                  ("the halo screen cracked on day two", "defect"), ("app keeps crashing after the update", "software"),
                  ("package still not here after 3 weeks", "shipping"), ("support never answered my ticket", "service"),
                  ("the colour looks cheap in person", "other")]
    calm = ["just bought the aura 12 at elgiganten", "thinking about getting the halo", "returned my aura 12 today",
            "everyone should get the pulse buds", "my halo is great", "what a sunny day", "love the aura 12 screen"]
    stages = ["purchased", "considering", "returned", "recommending", None, None, None]
    rows = []
    for copy in range(5):  # every class 5 times: enough for 5 stratified folds
        for n, (text, category) in enumerate(complaints):
            rows.append({"text": f"{text} #{copy}", "lang": "en", "split": "train", "gold": {
                "complaint": True, "category": category, "purchase_stage": None}})
        for text, stage in zip(calm, stages, strict=True):
            rows.append({"text": f"{text} #{copy}", "lang": "en", "split": "train", "gold": {
                "complaint": False, "category": None, "purchase_stage": stage}})
    training = tmp_path / "training"
    training.mkdir()
    (training / "a.jsonl").write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({**rows[0], "text": "a test post never read", "split": "test"}) + "\n")
    models = tmp_path / "models"
    script.main_with(training, gold, models, grid=(10.0,))
    detector = TextClassifier.load(models / "complaint.npz")
    assert detector.meta["trained_on"]["rows"] == len(rows)  # the gold test line was not read
    features, cues = script.features_of(rows)
    decided = detector.decide(detector.probabilities(features, cues[detector.cue_columns]))
    assert decided.tolist() == [row["gold"]["complaint"] for row in rows]
    stage = TextClassifier.load(models / "purchase_stage.npz")
    picked = stage.decide(stage.probabilities(features, cues[stage.cue_columns]))
    assert [stage.classes[i] for i in picked] == [row["gold"]["purchase_stage"] or "none" for row in rows]
