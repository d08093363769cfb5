"""``newsmark validate``: one ``path: field: message`` line per problem; files never change."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import SEED_IDS
from tui.cli import main
from tui.core import store
from tui.core.article import read_article
from tui.core.spans import Entity


def word(article_id: str, needle: str, label: str = "GPE") -> Entity:
    start = read_article(Path("articles"), article_id).text.index(needle)
    return Entity(start, start + len(needle), label)


def save(article_id: str, entities: list[Entity]) -> Path:
    article = read_article(Path("articles"), article_id)
    path = store.annotation_path(Path("annotations"), article_id)
    annotation = store.Annotation(article.id, article.sha256, "in_progress", tuple(entities))
    store.save(path, annotation, article.text)
    return path


@pytest.fixture
def small(workdir: Path) -> Path:
    """One short article, annotated by hand: predictable re-anchoring."""
    (workdir / "articles" / "short.txt").write_text("Wang Yi met Xi Jinping in Beijing.\n", "utf-8")
    return save(
        "short.txt",
        [Entity(0, 7, "PERSON"), Entity(12, 22, "PERSON"), Entity(26, 33, "GPE", "model")],
    )


def test_all_files_ok(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for aid in SEED_IDS:
        save(aid, [word(aid, "Iran"), word(aid, "China")])
    assert main(["validate"]) == 0
    assert capsys.readouterr().out == "3 files OK\n"


def test_no_files_is_ok(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    assert capsys.readouterr().out == "0 files OK\n"


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('text = "Beijing"', 'text = "Peking"', "entities[2].text"),
        ("start = 26", 'start = "26"', "entities[2].start"),
        ("end = 33", "end = 99", "entities[2]"),
        ("schema = 1", "schema = 7", "schema"),
        ('status = "in_progress"', 'status = "done"', "status"),
        ('source = "model"', 'source = "robot"', "entities[2].source"),
        ('article = "short.txt"', 'article = "other.txt"', "article"),
        ('status = "in_progress"', 'status = "in_progress"\ncolour = "red"', "colour"),
        (  # now overlaps "Wang Yi"
            'start = 12\nend = 22\nlabel = "PERSON"\ntext = "Xi Jinping"',
            'start = 5\nend = 22\nlabel = "PERSON"\ntext = "Yi met Xi Jinping"',
            "entities",
        ),
    ],
)
def test_each_fault_names_its_field(
    small: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, field: str
) -> None:
    data = small.read_text("utf-8")
    assert old in data
    small.write_text(data.replace(old, new, 1), "utf-8")
    before = small.read_bytes()
    assert main(["validate"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(
        rf"{re.escape(str(Path('annotations') / 'short.toml'))}: "
        rf"{re.escape(field)}: \S.*",
        lines[0],
    ), lines[0]
    assert lines[1] == "1 problem in 1 of 1 file; 0 OK."
    assert small.read_bytes() == before


def test_changed_article_counts_spans(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = small.read_bytes()
    (Path("articles") / "short.txt").write_text(
        "Today Wang Yi met Xi Jinping in Shanghai.\n", "utf-8"
    )
    assert main(["validate"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        f"{Path('annotations') / 'short.toml'}: sha256: article changed on disk; "
        "2 spans would be re-anchored, 1 cannot be"
    )
    assert small.read_bytes() == before


def test_kept_unanchored_spans_are_reported(
    small: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with small.open("a", encoding="utf-8") as f:
        f.write(
            '\n[[unanchored]]\nstart = 40\nend = 47\nlabel = "GPE"\ntext = "Nanjing"\n'
            'source = "user"\n'
        )
    assert main(["validate"]) == 1
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith(f"{Path('annotations') / 'short.toml'}: unanchored: 1 spans")


def test_every_problem_is_listed(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = save(SEED_IDS[0], [word(SEED_IDS[0], "China")])
    bad = save(SEED_IDS[1], [word(SEED_IDS[1], "Xi")])
    start = f"start = {word(SEED_IDS[1], 'Xi').start}\n"
    bad.write_text(bad.read_text("utf-8").replace(start, "start = -1\n"), "utf-8")
    small.write_text(small.read_text("utf-8").replace("schema = 1", "schema = 2"), "utf-8")
    nested = Path("annotations") / "world" / "gone.toml"
    nested.parent.mkdir()
    nested.write_text("schema = 1\n", "utf-8")
    assert main(["validate", "--articles", "articles", "--annotations", "annotations"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[:2] for line in lines[:-1]] == [
        [str(bad), "entities[0].end"],
        [str(small), "schema"],
        [str(nested), "article"],
    ]
    assert lines[-1] == "3 problems in 3 of 4 files; 1 OK."
    assert str(good) not in "\n".join(lines)


def test_a_non_utf8_article_without_a_file_is_named(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "articles" / "latin2.txt").write_bytes("dziesiątej\n".encode("iso-8859-2"))
    assert main(["validate"]) == 1
    out = capsys.readouterr().out
    assert "latin2.txt: article: is not UTF-8 text (bad byte at offset 6)" in out
    assert "1 article cannot be used" in out
