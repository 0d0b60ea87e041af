"""Settings: precedence (environment > TOML > defaults) and one-line errors naming the key."""

from datetime import timedelta
from pathlib import Path

import pytest

from config import ConfigError, load_settings
from config.durations import parse_duration


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "earshot.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite:///earshot.db"
    assert settings.enrich.sentiment == "linear"
    assert [rule.name for rule in settings.rules][-1] == "default"


def test_environment_beats_file_beats_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, 'database_url = "sqlite:///from-file.db"\n[enrich]\nbatch_size = 64\n')
    assert load_settings(path).database_url == "sqlite:///from-file.db"
    assert load_settings(path).enrich.batch_size == 64
    monkeypatch.setenv("EARSHOT_DATABASE_URL", "sqlite:///from-env.db")
    monkeypatch.setenv("EARSHOT_ENRICH__BATCH_SIZE", "7")
    settings = load_settings(path)
    assert settings.database_url == "sqlite:///from-env.db"
    assert settings.enrich.batch_size == 7


def test_config_file_named_by_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "elsewhere.toml"
    path.write_text('[[listen]]\nname = "a"\nplatform = "reddit"\nsubreddit = "acme"\nevery = "10m"\n')
    monkeypatch.setenv("EARSHOT_CONFIG", str(path))
    target = load_settings().listen[0]
    assert (target.name, target.platform, target.subreddit, target.every) == ("a", "reddit", "acme", timedelta(minutes=10))


def test_missing_named_config_file_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EARSHOT_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match="nope.toml not found"):
        load_settings()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('[[listen]]\nname = "a"\nplatform = "x"\nquery = "q"\nevery = "soon"\n',
         "listen[0].every: must be a duration like 30s, 5m, 2h or 1d (got 'soon')"),
        ('[[listen]]\nname = "a"\nplatform = "tiktok"\n', "listen[0].platform: must be one of"),
        ('[[listen]]\nname = "a"\nplatform = "x"\nquery = "q"\nbudjet = 3\n', "listen[0].budjet: unknown key"),
        ('[[listen]]\nname = "a"\nplatform = "x"\n', "give exactly one of `query` or `mentions_of`"),
        ('[enrich]\nbatch_size = 0\n', "enrich.batch_size: Input should be greater than or equal to 1"),
        ('[[listen]]\nname = "a"\nplatform = "replay"\npath = "a.jsonl"\n'
         '[[listen]]\nname = "a"\nplatform = "replay"\npath = "b.jsonl"\n', "target name 'a' is used twice"),
        ('colour = "blue"\n', "colour: unknown key"),
        ('[[rules]]\nname = "r"\nteam = "pr"\npriority = 9\n', "rules[0].priority"),
        ("this is not toml", "not valid TOML"),
    ],
)
def test_bad_values_give_one_line_naming_the_key(tmp_path: Path, body: str, expected: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as raised:
        load_settings(path)
    message = str(raised.value)
    assert expected in message
    assert "\n" not in message


def test_replay_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[[listen]]\nname = "r"\nplatform = "replay"\npath = "data/*.jsonl"\n')
    assert load_settings(path).listen[0].path == [str(tmp_path / "data/*.jsonl")]


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("5m", 300), ("2h", 7200), ("1d", 86400), (45, 45)])
def test_durations(text: object, seconds: int) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("bad", ["", "5", "-1m", "0s", "5 parsecs", True, None])
def test_bad_durations(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(bad)
