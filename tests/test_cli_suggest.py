"""``newsmark suggest``, run in-process on a copy of the seed corpus."""

from __future__ import annotations

import errno
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEED_IDS
from tui.cli import main
from tui.commands import suggest as suggest_cmd
from tui.core import lock, ner, store, suggested
from tui.core.article import read_article
from tui.core.batch import Event
from tui.core.boilerplate import chrome
from tui.core.edits import Status
from tui.core.ner import Pipeline
from tui.core.spans import Entity


def toml_path(article_id: str) -> Path:
    return Path("annotations") / article_id.replace(".txt", ".toml")


def read_toml(article_id: str) -> dict[str, Any]:
    return tomllib.loads(toml_path(article_id).read_text("utf-8"))


def spans(doc: dict[str, Any]) -> list[tuple[int, int, str, str, str]]:
    return [(e["start"], e["end"], e["label"], e["text"], e["source"]) for e in doc["entities"]]


def all_spans() -> dict[str, list[tuple[int, int, str, str, str]]]:
    return {
        p.name: spans(tomllib.loads(p.read_text("utf-8")))
        for p in Path("annotations").glob("*.toml")
    }


def ruler_spans(pipeline: Pipeline, text: str) -> list[tuple[int, int, str, str, str]]:
    return [(e.start_char, e.end_char, e.label_, e.text, "model") for e in pipeline.nlp(text).ents]


@pytest.fixture
def ruler(monkeypatch: pytest.MonkeyPatch, ruler_pipeline: Pipeline) -> Pipeline:
    """Suggestions from the entity-ruler pipeline instead of the real model."""
    monkeypatch.setattr(ner, "load", lambda name=None, *_: ruler_pipeline)
    return ruler_pipeline


def write_annotation(article_id: str, entities: list[Entity], status: Status) -> bytes:
    article = read_article(Path("articles"), article_id)
    annotation = store.Annotation(
        article.id,
        article.sha256,
        status,
        tuple(entities),
        model="old 1.0",
    )
    store.save(toml_path(article_id), annotation, article.text)
    return toml_path(article_id).read_bytes()


def test_writes_one_unreviewed_file_per_article(
    workdir: Path, ruler: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["suggest"]) == 0
    out = capsys.readouterr().out
    for aid in SEED_IDS:
        article = read_article(Path("articles"), aid)
        doc = read_toml(aid)
        assert doc["schema"] == 1
        assert doc["article"] == aid
        assert doc["sha256"] == article.sha256
        assert doc["status"] == "unreviewed"
        assert doc["model"] == ruler.name
        assert spans(doc) == ruler_spans(ruler, article.text)
        assert all(article.text[s:e] == t for s, e, _, t, _ in spans(doc))
        assert f"{aid}: {len(doc['entities'])} entities" in out
    assert spans(read_toml(SEED_IDS[0]))[0] == (13, 18, "GPE", "China", "model")
    assert f"Suggested entities for {len(SEED_IDS)} of {len(SEED_IDS)} articles" in out
    left = [p.name for p in Path("annotations").glob(".*")]
    assert left == [suggested.LOG_NAME], "no temp or lock file is left behind"


def test_articles_with_a_file_are_left_alone(
    workdir: Path, ruler: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    before = write_annotation(SEED_IDS[0], [Entity(0, 6, "ORG", "user")], "accepted")
    assert main(["suggest"]) == 0
    assert toml_path(SEED_IDS[0]).read_bytes() == before
    assert read_toml(SEED_IDS[1])["status"] == "unreviewed"
    assert "Suggested entities for 1 of 1 article with" in capsys.readouterr().out


def test_nothing_to_do_does_not_load_the_model(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for aid in SEED_IDS:
        write_annotation(aid, [], "unreviewed")

    def fail(name: str | None = None, *_: object) -> Pipeline:
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(ner, "load", fail)
    assert main(["suggest"]) == 0
    assert "use --force" in capsys.readouterr().out


def test_force_keeps_user_entities_and_status(workdir: Path, ruler: Pipeline) -> None:
    aid = SEED_IDS[0]  # starts "Shafaq News/ China expressed support for Iran’s ..."
    text = read_article(Path("articles"), aid).text
    user = Entity(7, 18, "ORG", "user")  # "News/ China" overlaps the ruler's "China": user wins
    s = text.index("sovereignty")
    stale = Entity(s, s + 11, "LAW", "model")  # the ruler will not suggest it again
    write_annotation(aid, [user, stale], "accepted")
    write_annotation(SEED_IDS[1], [], "unreviewed")

    assert main(["suggest", "--force"]) == 0

    doc = read_toml(aid)
    assert doc["status"] == "accepted"
    got = spans(doc)
    assert got[0] == (7, 18, "ORG", "News/ China", "user")
    assert not any(label == "LAW" for _, _, label, _, _ in got)
    expected_model = [span for span in ruler_spans(ruler, text) if span[0] >= 18]
    assert len(expected_model) == len(ruler_spans(ruler, text)) - 1
    assert got[1:] == expected_model
    assert doc["model"] == ruler.name
    other = read_toml(SEED_IDS[1])
    assert other["status"] == "unreviewed"
    assert spans(other) == ruler_spans(ruler, read_article(Path("articles"), SEED_IDS[1]).text)


def test_force_never_overwrites_a_file_that_fails_to_load(
    workdir: Path, ruler: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = toml_path(SEED_IDS[0])
    bad.write_text('schema = 1\narticle = "broken', "utf-8")
    assert main(["suggest", "--force"]) == 1
    err = capsys.readouterr().err
    assert bad.read_text("utf-8") == 'schema = 1\narticle = "broken'
    assert str(bad) in err and "left as it is" in err
    assert read_toml(SEED_IDS[1])["status"] == "unreviewed"


def test_real_model_suggestions(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, real_pipeline: Pipeline
) -> None:
    monkeypatch.setattr(ner, "load", lambda name=None, *_: real_pipeline)
    assert main(["suggest"]) == 0
    doc = read_toml(SEED_IDS[0])
    assert doc["model"] == real_pipeline.name
    assert any("Pezeshkian" in e["text"] for e in doc["entities"])
    assert all(0 <= e["score"] <= 1 for e in doc["entities"])  # every suggestion is scored
    assert main(["validate"]) == 0


def test_a_model_without_a_beam_is_said_once(
    workdir: Path, ruler: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["suggest"]) == 0
    out = capsys.readouterr().out
    assert out.count("without a confidence score") == 1
    assert all("score" not in e for e in read_toml(SEED_IDS[0])["entities"])


def test_two_processes_write_the_same_files(
    workdir: Path, ruler: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    for i in range(6):  # enough articles for both workers to get a batch
        (workdir / "articles" / f"extra_{i}.txt").write_text(f"Wang Yi {i} Iran\n", "utf-8")
    (workdir / "articles" / "extra_2b.txt").write_bytes(b"\x00binary")  # skipped mid-stream
    assert main(["suggest", "--batch-size", "2"]) == 0
    one = {
        p.name: spans(tomllib.loads(p.read_text("utf-8")))
        for p in Path("annotations").glob("*.toml")
    }
    assert main(["suggest", "--force", "--n-process", "2", "--batch-size", "2"]) == 0
    two = {
        p.name: spans(tomllib.loads(p.read_text("utf-8")))
        for p in Path("annotations").glob("*.toml")
    }
    assert one == two and len(one) == len(SEED_IDS) + 6
    assert one["extra_3.toml"] == [
        (0, 7, "PERSON", "Wang Yi", "model"),
        (10, 14, "GPE", "Iran", "model"),
    ]


def test_offsets_are_code_points(workdir: Path, ruler: Pipeline) -> None:
    text = "🎉 中文 Cafe\u0301\r\nChina 👩‍👩‍👧 Iran\r\n"
    (workdir / "articles" / "uni.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert main(["suggest"]) == 0
    got = spans(read_toml("uni.txt"))
    china, iran = text.index("China"), text.index("Iran")
    assert got == [
        (china, china + 5, "GPE", "China", "model"),
        (iran, iran + 4, "GPE", "Iran", "model"),
    ]
    assert main(["validate"]) == 0


def test_missing_model_is_one_sentence(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["suggest", "--model", "xx_no_such_pipeline"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "xx_no_such_pipeline" in err and "pip install" in err
    monkeypatch.setenv(ner.ENV_VAR, "xx_env_pipeline")
    assert main(["suggest"]) == 2
    assert "xx_env_pipeline" in capsys.readouterr().err
    assert not list(Path("annotations").iterdir())


@pytest.mark.parametrize("n_process", ["1", "2"])
def test_full_disk_is_one_sentence_naming_the_file(
    workdir: Path,
    ruler: Pipeline,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    n_process: str,
) -> None:
    """The run stops at the first failed write; with workers, they are stopped, not waited on."""
    for i in range(40):
        (workdir / "articles" / f"extra_{i:02d}.txt").write_text("China and Iran\n" * 50, "utf-8")

    def full(path: Path, annotation: store.Annotation, text: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store, "save", full)
    assert main(["suggest", "--n-process", n_process, "--batch-size", "2"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "W127" not in err
    assert str(toml_path(SEED_IDS[0])) in err and "No space left on device" in err
    assert not list(Path("annotations").glob("*.toml"))


def test_folder_locked_by_another_newsmark(
    workdir: Path, ruler: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    with lock.acquire(Path("annotations")):
        assert main(["suggest"]) == 2
    assert "being edited by newsmark" in capsys.readouterr().err
    assert not list(Path("annotations").glob("*.toml"))


def test_a_file_created_meanwhile_is_left_alone(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, ruler_pipeline: Pipeline
) -> None:
    """A person saving while suggest runs wins: the model never overwrites their file."""
    first = toml_path(SEED_IDS[0])

    class Racing:
        max_length = ruler_pipeline.nlp.max_length

        def __init__(self) -> None:
            self.nlp = ruler_pipeline.nlp

        def pipe(self, texts: Iterator[str], **kwargs: Any) -> Iterator[Any]:
            for doc in ruler_pipeline.nlp.pipe(texts, **kwargs):
                if not first.exists():
                    first.write_text("made by a person", "utf-8")
                yield doc

    racing = Pipeline(Racing(), "racing 0")  # type: ignore[arg-type]
    monkeypatch.setattr(ner, "load", lambda name=None, *_: racing)
    assert main(["suggest"]) == 0
    assert first.read_text("utf-8") == "made by a person"
    assert read_toml(SEED_IDS[1])["status"] == "unreviewed"


def test_progress_bar_on_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    events = [Event("a.txt", "suggested", entities=3), Event("b.txt", "skipped", "b.txt: bad")]
    assert suggest_cmd._report(iter(events), 2, "m 1", terminal=True) == 0
    captured = capsys.readouterr()
    assert "articles/s" in captured.out and "2/2" in captured.out
    assert "warning: b.txt: bad" in captured.err
    assert "Suggested entities for 1 of 2 articles" in captured.out


def test_bad_numbers_are_usage_errors(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["suggest", "--n-process", "0"])
    assert exit_info.value.code == 2
    assert "at least 1" in capsys.readouterr().err


def test_force_on_a_changed_article_reanchors_and_keeps_everything(
    workdir: Path, ruler: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workdir / "articles" / "short.txt"
    path.write_text("Wang Yi met Xi Jinping in Beijing.\n", "utf-8")
    write_annotation(
        "short.txt", [Entity(12, 22, "PERSON", "user"), Entity(26, 33, "GPE")], "accepted"
    )
    path.write_text("On Monday Wang Yi met Xi Jinping in Nanjing.\n", "utf-8")
    assert main(["suggest", "--force"]) == 0
    err = capsys.readouterr().err
    assert "note: short.txt changed on disk: 1 entities re-anchored, 1 could not be placed" in err
    doc = read_toml("short.txt")
    assert doc["status"] == "accepted"
    assert spans(doc) == [
        (10, 17, "PERSON", "Wang Yi", "model"),
        (22, 32, "PERSON", "Xi Jinping", "user"),
    ]
    assert doc["unanchored"] == [
        {"start": 26, "end": 33, "label": "GPE", "text": "Beijing", "source": "user"}
    ]
    assert doc["sha256"] == read_article(workdir / "articles", "short.txt").sha256


def test_chrome_marks_each_articles_page_chrome_and_spares_a_persons_entity(
    workdir: Path, ruler: Pipeline, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = SEED_IDS
    text = read_article(Path("articles"), second).text
    head, tail = chrome(text)
    assert main(["suggest", "--chrome"]) == 0
    doc = read_toml(second)
    assert [(r["start"], r["end"]) for r in doc["excluded"]] == [head, tail]
    assert doc["status"] == "unreviewed"
    assert spans(doc) and all(head[1] < s and e <= tail[0] for s, e, *_ in spans(doc))
    assert "excluded" not in read_toml(first)  # it starts and ends with sentences

    umer = text.index("Umer Jamshaid")
    write_annotation(second, [Entity(umer, umer + 13, "PERSON", "user")], "in_progress")
    assert main(["suggest", "--force", "--chrome"]) == 0
    doc = read_toml(second)
    assert [(r["start"], r["end"]) for r in doc["excluded"]] == [tail]  # the head holds yours
    assert doc["status"] == "in_progress"
    assert (umer, umer + 13, "PERSON", "Umer Jamshaid", "user") in spans(doc)
    assert all(e <= tail[0] for _, e, *_ in spans(doc))


def test_a_file_that_cannot_be_written_is_named_and_the_rest_are_written(
    workdir: Path,
    ruler: Pipeline,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    real_save = store.save

    def save(path: Path, annotation: store.Annotation, text: str) -> None:
        if path.name == toml_path(SEED_IDS[0]).name:
            raise OSError(errno.ENAMETOOLONG, "File name too long")
        real_save(path, annotation, text)

    monkeypatch.setattr(store, "save", save)
    assert main(["suggest"]) == 1
    out, err = capsys.readouterr()
    (line,) = err.splitlines()
    assert str(toml_path(SEED_IDS[0])) in line and "File name too long" in line
    assert "Suggested entities for 1 of 2 articles" in out and "1 article failed" in out
    assert toml_path(SEED_IDS[1]).exists() and not toml_path(SEED_IDS[0]).exists()


def test_counts_and_rates_read_as_sentences(capsys: pytest.CaptureFixture[str]) -> None:
    from tui.core.words import count, rate

    assert count(1, "article") == "1 article" and count(0, "article") == "0 articles"
    assert count(2, "entity") == "2 entities" and count(1, "annotation file") == "1 annotation file"
    assert rate(1, 38.2) == "38 s per article"
    assert rate(3, 2.0) == "1.5 articles/s"
    assert rate(2, 5.0) == "2.5 s per article"
    events = [Event("a.txt", "suggested", entities=1)]
    assert suggest_cmd._report(iter(events), 1, "m 1", terminal=False) == 0
    out = capsys.readouterr().out
    assert "Suggesting entities for 1 article with m 1" in out
    assert "a.txt: 1 entity\n" in out
