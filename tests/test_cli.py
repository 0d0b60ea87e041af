"""The CLI through typer's runner: stage commands, JSON stats, one-line errors."""

import json
from pathlib import Path

from typer.testing import CliRunner

from earshot.cli import app
from tests.factories import replay_line, write_jsonl

runner = CliRunner()


def configure(tmp_path: Path, posts: list) -> Path:
    write_jsonl(tmp_path / "data" / "posts.jsonl", posts)
    config = tmp_path / "earshot.toml"
    config.write_text(
        f'database_url = "sqlite:///{tmp_path / "cli.db"}"\n'
        '[[listen]]\nname = "files"\nplatform = "replay"\npath = "data/*.jsonl"\nevery = "1m"\n',
        encoding="utf-8",
    )
    return config


def run(config: Path, *args: str):
    return runner.invoke(app, ["--config", str(config), *args])


def test_collect_enrich_route_then_stats(tmp_path: Path) -> None:
    config = configure(tmp_path, [replay_line(1, text="my aura 12 is broken, so disappointed"),
                                  "not json", replay_line(2)])
    collected = run(config, "collect", "--once")
    assert collected.exit_code == 0, collected.output
    assert "posts.jsonl:2: not valid JSON" in collected.output
    assert run(config, "enrich").exit_code == 0
    assert run(config, "route").exit_code == 0
    stats = json.loads(run(config, "stats", "--json").stdout)
    assert (stats["posts"], stats["enriched"], stats["queue"]["support"]) == (2, 2, 1)
    listed = run(config, "queue", "list", "--team", "support", "--json")
    assert [json.loads(line)["post_id"] for line in listed.stdout.splitlines()] == [1]


def test_bad_config_is_one_line_and_exit_1(tmp_path: Path) -> None:
    config = tmp_path / "earshot.toml"
    config.write_text('[[listen]]\nname = "x"\nplatform = "x"\nquery = "q"\nevery = "often"\n')
    result = run(config, "stats")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "listen[0].every: must be a duration" in lines[0]
    assert "Traceback" not in result.output


def test_verbose_adds_the_traceback(tmp_path: Path) -> None:
    config = tmp_path / "earshot.toml"
    config.write_text('database_url = "nonsense"\n')
    quiet = run(config, "stats")
    loud = runner.invoke(app, ["--config", str(config), "--verbose", "stats"])
    assert quiet.exit_code == loud.exit_code == 1
    assert "not a database URL" in quiet.output and "Traceback" not in quiet.output
    assert "Traceback" in loud.output


def test_unknown_source_lists_the_allowed_ones(tmp_path: Path) -> None:
    config = configure(tmp_path, [replay_line(1)])
    result = run(config, "collect", "--once", "--source", "myspace")
    assert result.exit_code == 1 and "unknown collector 'myspace'; allowed: reddit, replay, x" in result.output


def test_db_upgrade_reports_the_revision(tmp_path: Path) -> None:
    config = configure(tmp_path, [])
    result = run(config, "db", "upgrade")
    from storage.migrate import head_revision

    assert result.exit_code == 0 and f"at revision {head_revision()}" in result.output


def test_no_targets_says_what_to_do(tmp_path: Path) -> None:
    config = tmp_path / "earshot.toml"
    config.write_text(f'database_url = "sqlite:///{tmp_path / "x.db"}"\n')
    result = run(config, "collect", "--once")
    assert result.exit_code == 0 and "add [[listen]] tables" in result.output


def test_help_of_every_command_group_exits_cleanly() -> None:
    for group in ([], ["queue"], ["db"], ["eval"], ["schedule"], ["customers"], ["catalog"]):
        result = runner.invoke(app, [*group, "--help"])
        assert result.exit_code == 0 and "unexpected error" not in result.output, (group, result.output)
