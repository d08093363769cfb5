"""What every format shares: the registry, the lock of import, origins in TOML, usage errors,
and the doccano round trip."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_import import articles, run_import, tomls

from tui import cli
from tui.commands import _common
from tui.core import lock, store
from tui.core.article import read_article
from tui.core.edits import Status
from tui.core.formats import FORMATS, IMPORT_FORMATS, REGISTRY, doccano, jsonl_line
from tui.core.formats.select import collect, parse_statuses
from tui.core.spans import Entity, SpanError, check_entity
from tui.core.store import Annotation, StoreError

DATA = Path(__file__).parent / "data" / "formats"


def test_every_format_is_registered_once_and_every_written_one_reads_back() -> None:
    assert FORMATS == ("spacy", "jsonl", "doccano", "conll", "brat", "labelstudio")
    assert set(FORMATS) <= set(IMPORT_FORMATS)
    for name, fmt in REGISTRY.items():
        assert fmt.name == name and fmt.help


def test_usage_error_lives_in_the_commands_layer() -> None:
    assert cli.UsageError is _common.UsageError


def test_import_takes_the_lock_as_suggest_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with lock.acquire(tmp_path / "annotations"):
        assert run_import(tmp_path, DATA / "prodigy_ner_manual.jsonl", "jsonl") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "being edited by newsmark" in err
    assert "then run import again" in err
    assert not (tmp_path / "articles").exists()
    assert run_import(tmp_path, DATA / "prodigy_ner_manual.jsonl", "jsonl") == 0
    assert not (tmp_path / "annotations" / lock.LOCK_NAME).exists()  # released


def test_for_command_names_the_holder_and_the_command(tmp_path: Path) -> None:
    with lock.acquire(tmp_path), pytest.raises(lock.Unavailable) as info:
        lock.for_command(tmp_path, "suggest")
    assert "close it there, then run suggest again" in str(info.value)
    with lock.for_command(tmp_path, "import") as held:
        assert held.held


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope.jsonl", "--format", "jsonl"], "nope.jsonl cannot be read"),
        ([".", "--format", "jsonl"], "is a folder; give the jsonl file itself"),
        (["x.conll", "--format", "conll", "--labels", "=X"], "should be OLD=NEW"),
    ],
)
def test_usage_errors_exit_2_with_one_sentence(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.conll").write_text("a\tO\n", "utf-8")
    assert cli.main(["import", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_origin_is_saved_only_when_set_and_validated(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a.txt").write_text("Ada met Bob.", "utf-8")
    article = read_article(tmp_path / "articles", "a.txt")
    entities = (Entity(0, 3, "PERSON", "user", "en_core_web_sm"), Entity(8, 11, "PERSON"))
    path = tmp_path / "a.toml"
    store.save(path, Annotation("a.txt", article.sha256, entities=entities), article.text)
    text = path.read_text("utf-8")
    assert text.count("origin = ") == 1 and 'origin = "en_core_web_sm"' in text
    assert store.load(path, article).annotation.entities == entities
    for bad, why in (('""', "is empty"), ("3", "should be str")):
        path.write_text(text.replace('"en_core_web_sm"', bad), "utf-8")
        with pytest.raises(StoreError) as info:
            store.load(path, article)
        assert "entities[0].origin" in str(info.value) and why in str(info.value)
    with pytest.raises(SpanError):
        check_entity(article.text, Entity(0, 3, "PERSON", "user", " "))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(article=articles())
def test_doccano_round_trip_property(article: tuple[str, list[Entity], Status]) -> None:
    """doccano has no span source, so a person's spans round-trip exactly."""
    text, entities, status = article
    entities = [Entity(e.start, e.end, e.label) for e in entities]
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "a", Path(tmp) / "b"
        (a / "articles").mkdir(parents=True)
        (a / "articles" / "doc.txt").write_bytes(text.encode("utf-8"))
        art = read_article(a / "articles", "doc.txt")
        annotation = Annotation(
            "doc.txt", art.sha256, status, tuple(entities), "m 1.0", "kim", store.now()
        )
        store.save(store.annotation_path(a / "annotations", "doc.txt"), annotation, text)
        selection = collect(a / "articles", a / "annotations", parse_statuses("all,rejected"))
        file = Path(tmp) / "doccano.jsonl"
        file.write_text("".join(jsonl_line(r) for r in doccano.records(selection.items)), "utf-8")
        assert run_import(b, file, "doccano") == 0
        assert tomls(b) == tomls(a)


# -- hostile input never escapes as an exception ------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 60) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "text",
                    "spans",
                    "start",
                    "end",
                    "label",
                    "labels",
                    "source",
                    "answer",
                    "meta",
                    "tokens",
                    "token_start",
                    "token_end",
                    "_view_id",
                    "value",
                    "result",
                    "data",
                    "annotations",
                    "predictions",
                    "was_cancelled",
                    "completed_by",
                    "type",
                    "status",
                ]
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=JSON)
def test_any_json_is_a_record_never_an_exception(record: object) -> None:
    from tui.core.formats.base import ReadOptions
    from tui.core.formats.labelstudio import read_task
    from tui.core.formats.lines import read_lines

    line = json.dumps(record).encode()
    for fmt in ("jsonl", "doccano"):
        (result,) = read_lines(Path("x.jsonl"), line, fmt, None)
        assert (result.parsed, result.refused, result.skipped) != (None, None, None)
    for result in read_task("x.json: task 1", record, ReadOptions()):
        assert (result.parsed, result.refused, result.skipped) != (None, None, None)


CONLL_LINES = st.one_of(
    st.sampled_from(["", " ", "-DOCSTART-\tO", "a", "a\tB-", "a\tX-Y", "a b\tQ"]),
    st.builds(
        "{}\t{}".format,
        st.sampled_from(["a", "bb", "中", "é\u0301"]),
        st.sampled_from(["O", "B-X", "I-X", "E-X", "S-Y", "I-Y", "L-X", "U-Z", "B-X-Y"]),
    ),
)
CONLL_GARBAGE = st.lists(
    st.sampled_from(["a", "B-X", "I-X", "E-Y", "S-", "O", " ", "\t", "\n", "-DOCSTART-"]),
    max_size=30,
).map("".join)


def conll_documents(conll: str) -> list[list[tuple[str, str]]]:
    """The ``(token, last column)`` lines of each document, as the format defines them."""
    docs: list[list[tuple[str, str]]] = [[]]
    for line in conll.split("\n"):
        cols = line.split()
        if cols[:1] == ["-DOCSTART-"]:
            docs.append([])
        elif cols:
            docs[-1].append((cols[0], cols[-1] if len(cols) > 1 else ""))
    return [doc for doc in docs if doc]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.text(st.sampled_from(list("ab .\n")), min_size=1, max_size=20),
    ann=st.text(st.sampled_from(list("TRA#12 ;\t\nXb-²")), max_size=40),
    conll=st.one_of(CONLL_GARBAGE, st.lists(CONLL_LINES, max_size=30).map("\n".join)),
)
def test_any_brat_or_conll_text_is_records_never_an_exception(
    text: str, ann: str, conll: str
) -> None:
    """Every .ann line is an entity or a reason; every CoNLL document is one record, either
    refused or holding exactly its tokens, with the tagged ones in entities and no other."""
    from tui.core.formats import brat
    from tui.core.formats import conll as conll_format
    from tui.core.formats.base import ReadOptions
    from tui.core.spans import check_entities

    spans, others = brat.read_document(Path("x.ann"), ann, text, ReadOptions())
    assert len(spans) + len(others) == sum(1 for line in ann.split("\n") if line.strip())
    for span in spans:
        assert 0 <= span.start < span.end <= len(text)
        assert not any(o.start < span.end and span.start < o.end for o in spans if o is not span)
    for other in others:
        assert other.where.startswith("x.ann:") and other.parsed is None
        assert bool(other.refused) != bool(other.skipped)

    records = list(conll_format.read(Path("x.conll"), conll, ReadOptions()))
    documents = conll_documents(conll)
    assert len(records) == len(documents)
    for record, lines in zip(records, documents, strict=True):
        assert record.where.startswith("x.conll:")
        valid = all(tag == "O" or re.fullmatch(r"[BIESLU]-\S+", tag) for _, tag in lines)
        if not valid:
            assert record.parsed is None and record.refused, record
            continue
        parsed = record.parsed
        assert parsed is not None and record.refused is None
        assert parsed.text.split() == [token for token, _ in lines]
        check_entities(parsed.text, parsed.entities)
        offset = 0
        for token, tag in lines:  # each token inside an entity exactly when it is tagged
            at = parsed.text.index(token, offset)
            offset = at + len(token)
            inside = [e for e in parsed.entities if e.start <= at and offset <= e.end]
            assert len(inside) == (tag != "O"), (token, tag, parsed)
            assert all(e.label == tag[2:] for e in inside)


def test_entities_with_and_without_an_origin_still_sort() -> None:
    plain, named = Entity(0, 3, "ORG"), Entity(0, 3, "ORG", "user", "en_core_web_sm")
    assert sorted([named, plain]) == [plain, named] and plain != named
    assert sorted([Entity(4, 5, "X"), named]) == [named, Entity(4, 5, "X")]


@pytest.mark.parametrize("fmt", IMPORT_FORMATS)
def test_every_importer_renames_then_keeps_the_projects_labels(
    tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--labels OLD=NEW`` renames on the way in and the project's label set then keeps its
    own, in every format alike (the accepted seeds hold PERSON 3, ORG 5, GPE 9, DATE 1)."""
    from collections import Counter

    from test_export_corpus import make_corpus, run_export

    from tui.core import project

    make_corpus(tmp_path / "src")
    out = tmp_path / f"out-{fmt}"
    assert run_export(tmp_path / "src", fmt, out) == 0
    dest = tmp_path / "dest"
    project.set_labels(dest / "annotations", ["PER", "ORG"])
    capsys.readouterr()
    assert run_import(dest, out, fmt, "--labels", "PERSON=PER,GPE=PLACE") == 0
    assert "left out 10 entities in 2 label(s)" in capsys.readouterr().err
    found: Counter[str] = Counter()
    for path in store.iter_files(dest / "annotations"):
        found.update(e.label for e in store.read(path)[1])  # the spans, as the file has them
    assert found == {"PER": 3, "ORG": 5}
