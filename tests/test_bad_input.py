"""Bad input: each case gets one clear sentence, the right exit code, and nothing is lost."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEED_IDS
from tui.cli import main
from tui.core import ner
from tui.core.ner import Pipeline

COMMANDS = ["suggest", "validate", "stats"]


@pytest.fixture
def ruler(monkeypatch: pytest.MonkeyPatch, ruler_pipeline: Pipeline) -> Pipeline:
    monkeypatch.setattr(ner, "load", lambda name=None, *_: ruler_pipeline)
    return ruler_pipeline


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("newsmark: ")
    return err


def suggested() -> set[str]:
    return {p.name for p in Path("annotations").rglob("*.toml")}


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("latin1.txt", "Café in China".encode("latin-1"), "not UTF-8"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"\xef\xbb\xbf \r\n\t\n", "empty"),
    ],
)
def test_unusable_article_is_skipped_with_a_warning(
    workdir: Path,
    ruler: Pipeline,
    capsys: pytest.CaptureFixture[str],
    name: str,
    data: bytes,
    reason: str,
) -> None:
    bad = workdir / "articles" / name
    bad.write_bytes(data)
    assert main(["suggest"]) == 0
    captured = capsys.readouterr()
    warning = one_line(captured.err)
    assert str(Path("articles") / name) in warning and reason in warning
    assert suggested() == {aid.replace(".txt", ".toml") for aid in SEED_IDS}
    assert "1 unusable skipped" in captured.out
    assert bad.read_bytes() == data


@pytest.mark.parametrize("command", COMMANDS)
def test_missing_articles_folder(
    workdir: Path, ruler: Pipeline, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    assert main([command, "--articles", "nowhere"]) == 2
    err = one_line(capsys.readouterr().err)
    assert "nowhere does not exist" in err and "--articles" in err


@pytest.mark.parametrize("command", COMMANDS)
def test_articles_folder_without_txt(
    workdir: Path, ruler: Pipeline, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    (workdir / "notes").mkdir()
    (workdir / "notes" / "readme.md").write_text("not an article", "utf-8")
    assert main([command, "--articles", "notes"]) == 2
    assert "has no .txt files" in one_line(capsys.readouterr().err)


@pytest.mark.parametrize("command", ["validate", "stats"])
def test_missing_annotations_folder(
    workdir: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    assert main([command, "--annotations", "gone"]) == 2
    err = one_line(capsys.readouterr().err)
    assert "gone does not exist" in err and "newsmark suggest" in err


def test_suggest_creates_a_missing_annotations_folder(workdir: Path, ruler: Pipeline) -> None:
    assert main(["suggest", "--annotations", "new/nested"]) == 0
    assert len(list((workdir / "new" / "nested").glob("*.toml"))) == len(SEED_IDS)


@pytest.mark.parametrize(
    "command",
    [
        *COMMANDS,
        "queue",
        "open --order random",
        "export --format jsonl --out x.jsonl",
        "evaluate",
        "team list",
    ],
)
def test_annotations_path_is_a_file(
    workdir: Path, ruler: Pipeline, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    (workdir / "plain").write_text("x", "utf-8")
    assert main([*command.split(), "--annotations", "plain"]) == 2
    assert "plain is not a folder" in one_line(capsys.readouterr().err)
    assert (workdir / "plain").read_text("utf-8") == "x"


@pytest.mark.parametrize(
    "data", [b"schema = = 1\n", b"\xff\xfe\x00s\x00c\x00h\x00"], ids=["syntax", "utf16"]
)
def test_unreadable_toml(
    workdir: Path, ruler: Pipeline, capsys: pytest.CaptureFixture[str], data: bytes
) -> None:
    bad = workdir / "annotations" / SEED_IDS[0].replace(".txt", ".toml")
    bad.write_bytes(data)

    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{Path('annotations') / bad.name}: file: ")
    assert "fix or delete it" in out

    assert main(["stats"]) == 1
    captured = capsys.readouterr()
    assert "unreadable" in captured.out and "1 annotation file cannot be read" in captured.err

    assert main(["suggest"]) == 0  # not forced: the file is not its business
    assert main(["suggest", "--force"]) == 1
    assert bad.read_bytes() == data


def test_annotation_for_an_article_that_no_longer_exists(
    workdir: Path, ruler: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["suggest"]) == 0
    orphan = workdir / "annotations" / SEED_IDS[0].replace(".txt", ".toml")
    (workdir / "articles" / SEED_IDS[0]).unlink()
    before = orphan.read_bytes()
    capsys.readouterr()

    assert main(["validate"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{Path('annotations') / orphan.name}: article: the article ")
    assert "no longer exists" in out[0] and "left alone" in out[0]
    assert out[1] == "1 problem in 1 of 2 files; 1 OK."

    assert main(["suggest", "--force"]) == 0
    assert main(["stats"]) == 0
    assert "1 annotation file has no article" in capsys.readouterr().err
    assert orphan.read_bytes() == before
    assert tomllib.loads(before.decode("utf-8"))["article"] == SEED_IDS[0]


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
        timeout=60,
    )


def test_module_help_in_a_subprocess(tmp_path: Path) -> None:
    done = run_cli("--help", cwd=tmp_path)
    assert done.returncode == 0
    for command in COMMANDS:
        assert command in done.stdout


def test_exit_code_2_in_a_subprocess(tmp_path: Path) -> None:
    done = run_cli("validate", "--articles", "missing", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "newsmark: The articles folder missing does not exist; create it or pass --articles DIR.\n"
    )
