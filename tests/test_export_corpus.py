"""The annotated corpus the export, import, evaluate and train tests share, and its premises.

TOML files are written through ``tui.core.store.save``, so they are what the reader writes.
The corpus holds the awkward cases: an entity glued to the next character by spaCy's
tokenizer ("Shafaq News/"), an entity inside a CJK run, combining marks, emoji, CRLF, an
entity across a line break, a file with a BOM, a nested article id, and every status.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tui.core import store
from tui.core.article import read_article
from tui.core.edits import Status
from tui.core.spans import Entity, check_entities
from tui.core.store import Annotation

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Spec:
    article: str
    text: str
    status: Status
    entities: tuple[tuple[str, str], ...]  # (surface, label): first free occurrence
    bom: bool = False


SPECS = (
    Spec(
        "a_shafaq.txt",
        "Shafaq News/ China expressed support for Iran’s sovereignty.\n\n"
        "Wang Yi met Masoud Pezeshkian in New York on Monday.",
        "accepted",
        (
            ("Shafaq News", "ORG"),
            ("China", "GPE"),
            ("Iran", "GPE"),
            ("Wang Yi", "PERSON"),
            ("Masoud Pezeshkian", "PERSON"),
            ("New York", "GPE"),
            ("Monday", "DATE"),
        ),
    ),
    Spec(
        "b_intl.txt",
        "東京で習近平氏が会談した。 Café Müller in São Paulo 👍🏽 said hello.\r\n"
        "Zoe\u0308 Saldan\u0303a visited Köln, Germany.",
        "accepted",
        (
            ("東京", "GPE"),
            ("Café Müller", "ORG"),
            ("São Paulo", "GPE"),
            ("Zoe\u0308 Saldan\u0303a", "PERSON"),
            ("Köln", "GPE"),
            ("Germany", "GPE"),
        ),
    ),
    Spec(
        "c_lines.txt",
        "Shares of Acme\nCorp rose in Paris.\nReuters reported it.",
        "accepted",
        (("Acme\nCorp", "ORG"), ("Paris", "GPE"), ("Reuters", "ORG")),
        bom=True,
    ),
    Spec(
        "d_progress.txt",
        "Angela Merkel spoke in Berlin while Paris waited.",
        "in_progress",
        (("Angela Merkel", "PERSON"),),
    ),
    Spec("e_rejected.txt", "Buy cheap watches at example dot com.", "rejected", ()),
    Spec(
        "sub/f_nested.txt",
        "The European Union met in Brussels.",
        "accepted",
        (("The European Union", "ORG"), ("Brussels", "GPE")),
    ),
    Spec("g_skipped.txt", "Lorem ipsum in Rome.", "skipped", (("Rome", "GPE"),)),
)
UNANNOTATED = "h_none.txt"


def run_export(root: Path, fmt: str, out: Path, *args: str) -> int:
    """``newsmark export`` in-process on a corpus made by :func:`make_corpus`."""
    from tui.cli import main

    return main(
        [
            "export",
            "--articles",
            str(root / "articles"),
            "--annotations",
            str(root / "annotations"),
            "--format",
            fmt,
            "--out",
            str(out),
            *args,
        ]
    )


def find_entities(text: str, wanted: tuple[tuple[str, str], ...]) -> tuple[Entity, ...]:
    found: list[Entity] = []
    for surface, label in wanted:
        i = text.find(surface)
        while any(e.overlaps(i, i + len(surface)) for e in found):
            i = text.find(surface, i + 1)
        assert i >= 0, surface
        found.append(Entity(i, i + len(surface), label, "user"))
    check_entities(text, found)
    return tuple(sorted(found))


def make_corpus(root: Path, specs: tuple[Spec, ...] = SPECS) -> dict[str, Annotation]:
    """Write articles/ and annotations/ under ``root``; return the annotations by article."""
    articles, annotations = root / "articles", root / "annotations"
    articles.mkdir(parents=True, exist_ok=True)
    annotations.mkdir(parents=True, exist_ok=True)
    (articles / UNANNOTATED).write_text("Nobody has read this yet.", encoding="utf-8")
    written = {}
    for spec in specs:
        path = articles / spec.article
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes((BOM if spec.bom else b"") + spec.text.encode("utf-8"))
        article = read_article(articles, spec.article)
        assert article.text == spec.text
        annotation = Annotation(
            article=spec.article,
            sha256=article.sha256,
            status=spec.status,
            entities=find_entities(spec.text, spec.entities),
            annotator="kim",
            updated=store.now(),
        )
        store.save(store.annotation_path(annotations, spec.article), annotation, spec.text)
        written[spec.article] = annotation
    return written


def selected(specs: tuple[Spec, ...], statuses: set[str]) -> list[Spec]:
    """Specs in export order (sorted TOML paths)."""
    chosen = [s for s in specs if s.status in statuses]
    return sorted(chosen, key=lambda s: Path(s.article).with_suffix(".toml"))


def test_corpus_has_an_entity_that_spacy_glues_to_the_next_character() -> None:
    import spacy

    nlp = spacy.blank("en")
    tokens = [t.text for t in nlp.make_doc(SPECS[0].text)]
    assert "News/" in tokens and "News" not in tokens
    cjk = [t.text for t in nlp.make_doc(SPECS[1].text)]
    assert "東京" not in cjk  # the CJK entity sits inside one token too


def test_corpus_round_trips_through_the_store(tmp_path: Path) -> None:
    written = make_corpus(tmp_path)
    for spec in SPECS:
        path = store.annotation_path(tmp_path / "annotations", spec.article)
        loaded = store.load(path, read_article(tmp_path / "articles", spec.article))
        assert loaded.annotation.entities == written[spec.article].entities
        assert not loaded.stale
