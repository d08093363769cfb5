"""Articles longer than spaCy's ``max_length`` go through every command in pieces.

spaCy refuses a text over ``nlp.max_length`` (E088) and its memory grows with a doc's length,
so texts are cut at paragraph (else sentence) breaks; offsets must stay exact across the
pieces and no entity may be cut.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SEEDS
from tui.cli import main
from tui.core import ner, store
from tui.core.article import read_article
from tui.core.evaluate import evaluate
from tui.core.formats.select import Item
from tui.core.ner import Pipeline
from tui.core.spans import Entity

LONG = 1_050_000
EXTRA = "Wang Yi met 中国外交部 staff 👍🏽 in Iran, e\u0301 café.\r\nXinhua said so. Shafaq News"


def long_text(size: int = LONG) -> str:
    """The seed paragraphs, with some emoji, CJK, combining marks and CRLF, over ``size``."""
    paragraphs = [p for s in sorted(SEEDS.glob("*.txt")) for p in s.read_text().split("\n\n")]
    paragraphs.append(EXTRA)
    out: list[str] = []
    total = 0
    while total < size:
        paragraph = paragraphs[len(out) % len(paragraphs)].strip()
        out.append(paragraph)
        total += len(paragraph) + 2
    return "\n\n".join(out) + "\n"


def by_paragraph(pipeline: Pipeline, text: str) -> list[tuple[int, int, str]]:
    """The pipeline's entities found one paragraph at a time: what the pieces must give."""
    found = []
    for match in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]*)*", text):
        doc = pipeline.nlp(match.group())
        found += [
            (match.start() + e.start_char, match.start() + e.end_char, e.label_) for e in doc.ents
        ]
    return found


@pytest.fixture(scope="module")
def text() -> str:
    return long_text()


@pytest.fixture
def ruler(monkeypatch: pytest.MonkeyPatch, ruler_pipeline: Pipeline) -> Pipeline:
    monkeypatch.setattr(ner, "load", lambda name=None, *_, **__: ruler_pipeline)
    return ruler_pipeline


# -- the cuts -----------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="ab .\n\r\u0301👍中", max_size=300),
    st.integers(1, 40),
    st.lists(st.tuples(st.integers(0, 300), st.integers(1, 12)), max_size=8),
)
def test_pieces_tile_the_text_and_never_cut_a_kept_range(
    text: str, limit: int, raw: list[tuple[int, int]]
) -> None:
    keep: list[tuple[int, int]] = []  # entities: they never overlap
    for s, n in sorted(raw):
        if s < len(text) and (not keep or keep[-1][1] <= s):
            keep.append((s, min(s + n, len(text))))
    cuts = ner.pieces(text, limit, keep)
    assert cuts[0][0] == 0 and cuts[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(cuts, cuts[1:], strict=False))
    assert all(s < e for s, e in cuts) or text == ""
    for _, cut in cuts[:-1]:
        assert not any(s < cut < e for s, e in keep)
    widest = max((e - s for s, e in keep), default=0)
    assert all(e - s <= limit + widest for s, e in cuts)
    if not keep:
        assert all(e - s <= limit for s, e in cuts)


def test_pieces_end_at_paragraphs_then_sentences_and_start_on_a_word() -> None:
    text = "One two. Three four.\n\nFive six seven. Eight nine.\n\nTen."
    assert [text[s:e] for s, e in ner.pieces(text, 30)] == [
        "One two. Three four.\n\n",
        "Five six seven. Eight nine.\n\n",
        "Ten.",
    ]
    assert [text[s:e] for s, e in ner.pieces(text, 20)][:2] == ["One two. ", "Three four.\n\n"]
    sentences = "Alpha beta. Gamma delta. Epsilon."
    assert [sentences[s:e] for s, e in ner.pieces(sentences, 26)] == [
        "Alpha beta. Gamma delta. ",
        "Epsilon.",
    ]
    assert ner.pieces("e\u0301e\u0301e\u0301", 3) == [(0, 2), (2, 4), (4, 6)]
    assert ner.pieces("short", 10) == [(0, 5)]


@pytest.mark.parametrize(
    "word",
    [
        "कि",  # a spacing mark (U+093F), not "combining" to unicodedata
        "❤️",  # a variation selector
        "👩\u200d👧",  # a zero-width joiner
        "e\u0301",
    ],
)
def test_a_run_without_spaces_is_never_cut_inside_a_character(word: str) -> None:
    text = word * 30
    cuts = ner.pieces(text, 7)
    assert all(end % len(word) == 0 for _, end in cuts), cuts


def test_cjk_sentences_end_without_a_space() -> None:
    text = "今日は晴れです。明日は「雨」でしょう！" * 3
    got = [text[s:e] for s, e in ner.pieces(text, 12)]
    assert got[:2] == ["今日は晴れです。", "明日は「雨」でしょう！"]


def test_a_text_the_conversion_fails_on_is_the_one_lost(ruler_pipeline: Pipeline) -> None:
    """The texts after it keep their own results (a convert that raised once used to shift
    every later article's suggestions onto the one before)."""
    texts = ["China one.", "Iran two.", "China three.", "Iran four."]

    def convert(doc: object, text: str) -> str:
        if text.startswith("Iran two"):
            raise ValueError("broken")
        return text

    got = list(ner.pipe(ruler_pipeline.nlp, texts, convert, batch_size=4))
    assert isinstance(got[1], ner.Failed)
    assert got[0] == [(0, texts[0])] and got[2:] == [[(0, texts[2])], [(0, texts[3])]]


def test_a_long_text_gives_what_its_paragraphs_give(text: str, ruler_pipeline: Pipeline) -> None:
    (found,) = ner.suggest(ruler_pipeline, [text])
    assert [(e.start, e.end, e.label) for e in found] == by_paragraph(ruler_pipeline, text)
    assert all(text[e.start : e.end] == text[e.start : e.end].strip() for e in found)


# -- suggest ------------------------------------------------------------------------------


def test_suggest_writes_a_long_article_with_exact_offsets_and_the_others_too(
    workdir: Path, ruler: Pipeline, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (workdir / "articles" / "long.txt").write_text(text, "utf-8", newline="")
    assert main(["suggest", "--batch-size", "1"]) == 0
    assert "Traceback" not in capsys.readouterr().err
    saved = store.load(Path("annotations/long.toml"), read_article(Path("articles"), "long.txt"))
    got = [(e.start, e.end, e.label) for e in saved.annotation.entities]
    assert got == by_paragraph(ruler, text)
    assert len(got) > 1000
    assert len(list(Path("annotations").glob("*.toml"))) == 3


def test_a_failing_component_names_the_article_and_the_rest_are_written(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import spacy
    from spacy.language import Language
    from spacy.tokens import Doc

    @Language.component("newsmark_test_boom")
    def boom(doc: Doc) -> Doc:
        if "BOOM" in doc.text:
            raise ValueError("this custom component cannot take BOOM")
        return doc

    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "GPE", "pattern": "Iran"}])  # type: ignore[attr-defined]
    nlp.add_pipe("newsmark_test_boom")
    pipeline = Pipeline(nlp, "boom 1")
    monkeypatch.setattr(ner, "load", lambda name=None, *_, **__: pipeline)
    for i in range(6):
        body = "BOOM in Iran.\n" if i == 2 else f"Story {i} from Iran.\n"
        (workdir / "articles" / f"x{i}.txt").write_text(body, "utf-8")
    assert main(["suggest", "--batch-size", "4"]) == 1
    out, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if line]
    assert len(lines) == 1 and "Traceback" not in err
    assert "articles/x2.txt" in lines[0] and "cannot take BOOM" in lines[0]
    assert "1 article failed" in out
    written = {p.name for p in Path("annotations").glob("*.toml")}
    assert written == {f"x{i}.toml" for i in range(6) if i != 2} | {
        p.replace(".txt", ".toml") for p in (p.name for p in SEEDS.glob("*.txt"))
    }


# -- evaluate, export, train ----------------------------------------------------------------


def accepted_long(workdir: Path, pipeline: Pipeline, text: str) -> list[tuple[int, int, str]]:
    """``long.txt`` in the workdir, accepted, with the pipeline's own entities as gold."""
    (workdir / "articles" / "long.txt").write_text(text, "utf-8", newline="")
    article = read_article(workdir / "articles", "long.txt")
    gold = by_paragraph(pipeline, text)
    entities = tuple(Entity(s, e, label, "user") for s, e, label in gold)
    annotation = store.Annotation(article.id, article.sha256, "accepted", entities)
    store.save(workdir / "annotations" / "long.toml", annotation, text)
    return gold


def test_evaluate_scores_a_long_article(workdir: Path, ruler_pipeline: Pipeline, text: str) -> None:
    gold = accepted_long(workdir, ruler_pipeline, text)
    article = read_article(workdir / "articles", "long.txt")
    item = Item(article, "accepted", tuple(Entity(s, e, lb, "user") for s, e, lb in gold))
    report = evaluate(ruler_pipeline, [item])
    assert (report.overall.tp, report.overall.fp, report.overall.fn) == (len(gold), 0, 0)


def written(out: str) -> str:
    """What an export wrote: its file, or every file in its folder."""
    path = Path(out)
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    return "".join(f.read_text("utf-8") for f in files)


def export(fmt: str, *args: str) -> int:
    return main(["export", "--format", fmt, "--status", "accepted", "--out", f"out-{fmt}", *args])


def test_export_spacy_writes_a_long_article_as_pieces_with_every_entity(
    workdir: Path, ruler: Pipeline, text: str
) -> None:
    import spacy
    from spacy.tokens import DocBin

    gold = accepted_long(workdir, ruler, text)
    assert export("spacy") == 0
    vocab = spacy.blank("en").vocab
    docs = [
        doc
        for part in ("train", "dev")
        for doc in DocBin().from_disk(Path(f"out-spacy/{part}.spacy")).get_docs(vocab)
    ]
    docs = [d for d in docs if len(d.text) > 10_000]  # the seeds are not accepted: none else
    assert len(docs) > 1 and all(len(d.text) <= ner.PIECE_CHARS for d in docs)
    # train and dev are the same article here (one article): read one copy back in order
    seen, offset, got = set(), 0, []
    for doc in docs:
        if doc.text in seen and offset >= len(text):
            break
        assert text.startswith(doc.text, offset)
        got += [(offset + e.start_char, offset + e.end_char, e.label_) for e in doc.ents]
        seen.add(doc.text)
        offset += len(doc.text)
    assert offset == len(text)
    assert got == gold


def test_export_jsonl_and_conll_keep_a_long_article_whole(
    workdir: Path, ruler: Pipeline, text: str
) -> None:
    gold = accepted_long(workdir, ruler, text)
    assert export("jsonl") == 0
    (task,) = [
        json.loads(line) for line in written("out-jsonl").splitlines() if '"long.txt"' in line
    ]
    assert task["text"] == text
    assert [(s["start"], s["end"], s["label"]) for s in task["spans"]] == gold
    tokens: list[dict[str, Any]] = task["tokens"]
    assert all(text[t["start"] : t["end"]] == t["text"] for t in tokens[:: len(tokens) // 500])
    assert export("conll") == 0
    conll = written("out-conll")
    assert sum(
        line.split()[-1].startswith("B-") for line in conll.splitlines() if line.strip()
    ) == len(gold)


def test_a_piece_keeps_its_scores_and_alternatives_in_the_whole_text() -> None:
    from tui.core.spans import Alternative

    found = [Entity(3, 8, "GPE", "model", None, 0.9, Alternative(3, 12, "ORG", 0.1))]
    (moved,) = ner.shifted(found, 100)
    assert (moved.start, moved.end, moved.score, moved.source) == (103, 108, 0.9, "model")
    assert moved.alternative == Alternative(103, 112, "ORG", 0.1)


def test_on_a_dask_worker_a_failing_article_is_an_error_and_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import spacy
    from spacy.language import Language
    from spacy.tokens import Doc

    from tui.core import distributed

    @Language.component("newsmark_test_boom_dask")
    def boom(doc: Doc) -> Doc:
        if "BOOM" in doc.text:
            raise ValueError("cannot take BOOM")
        return doc

    nlp = spacy.blank("en")
    nlp.add_pipe("newsmark_test_boom_dask")
    monkeypatch.setitem(distributed._PIPELINES, ("boom", 0), Pipeline(nlp, "boom 1"))
    jobs = [
        distributed.Job(f"{name}.txt", text, "0" * 64)
        for name, text in (("a", "Fine text.\n"), ("b", "BOOM here.\n"), ("c", "Also fine.\n"))
    ]
    done = distributed.run_batch("boom", jobs, str(tmp_path), str(tmp_path / "ann"), width=0)
    assert [d.failed is not None for d in done] == [False, True, False]
    assert "b.txt" in (done[1].failed or "") and "cannot take BOOM" in (done[1].failed or "")
    event = distributed._finish(None, None, "boom 1", done[1], {}, False)  # type: ignore[arg-type]
    assert event.outcome == "error"
