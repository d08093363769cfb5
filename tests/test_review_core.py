"""Review core: disagreements between two versions, decisions, and the gold written from them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_agree import write as write_version
from tui.core import store
from tui.core.agree import gather
from tui.core.article import Article, read_article, sha256_bytes
from tui.core.review import (
    Disagreement,
    Draft,
    Review,
    ReviewError,
    Side,
    accept_agreed,
    compare,
    gold_path,
    load,
    remaining,
    write,
)
from tui.core.spans import Entity

TEXT = "Ann Lee met Bob Smith in Paris today with 👍🏽 東京 Café\u0301 staff.\r\nNew line here."
ANN = Entity(0, 7, "PERSON")
BOB_SMITH = Entity(12, 21, "PERSON")
BOB = Entity(12, 15, "PERSON")
SMITH = Entity(16, 21, "PERSON")
PARIS_GPE = Entity(25, 30, "GPE")
PARIS_ORG = Entity(25, 30, "ORG", "model")
TOKYO = Entity(TEXT.index("東京"), TEXT.index("東京") + 2, "GPE")
CAFE = Entity(TEXT.index("Café"), TEXT.index("Café") + 5, "ORG")
LINE = Entity(TEXT.index("New"), TEXT.index("New") + 8, "MISC")


def article(text: str = TEXT) -> Article:
    return Article("a.txt", Path("a.txt"), text, sha256_bytes(text.encode("utf-8")))


def review(left: list[Entity], right: list[Entity]) -> Review:
    return Review.of(article(), Side("kim", tuple(left)), Side("lee", tuple(right)))


def test_compare_groups_overlapping_spans_into_disagreements() -> None:
    agreed, disagreements = compare(
        [ANN, BOB_SMITH, PARIS_GPE, TOKYO],
        [Entity(0, 7, "PERSON", "model"), BOB, SMITH, PARIS_ORG, CAFE],
    )
    assert agreed == [ANN]  # same start, end and label; who made it does not matter
    assert disagreements == [
        Disagreement(12, 21, (BOB_SMITH,), (BOB, SMITH)),
        Disagreement(25, 30, (PARIS_GPE,), (PARIS_ORG,)),
        Disagreement(TOKYO.start, TOKYO.end, (TOKYO,), ()),
        Disagreement(CAFE.start, CAFE.end, (), (CAFE,)),
    ]


def test_identical_versions_agree_and_accept_in_one_step() -> None:
    r = review([ANN, TOKYO], [TOKYO, ANN])
    assert r.agrees and r.complete and r.pending == 0
    gold = r.gold("max")
    assert [s.entity for s in gold.spans] == [ANN, TOKYO]
    assert [s.origin for s in gold.spans] == ["kim+lee", "kim+lee"]


def test_decisions_build_the_gold() -> None:
    r = review([ANN, BOB_SMITH, PARIS_GPE, TOKYO], [ANN, BOB, SMITH, PARIS_ORG, CAFE])
    assert r.pending == 4 and not r.agrees
    with pytest.raises(ReviewError, match="4 disagreement"):
        r.gold("max")
    assert r.at(13) == 0 and r.at(27) == 1 and r.at(8) is None
    assert r.next_pending() == 0
    r.choose(0, "right")
    r.choose(1, "left")
    assert r.next_pending(12) == 2
    r.choose(2, "neither")
    assert r.pending == 1 and r.next_pending(TOKYO.start + 100) == 3  # wraps around
    r.choose(3, "left")  # the left side has nothing there
    assert r.complete
    gold = r.gold("max")
    assert [(s.entity, s.origin) for s in gold.spans] == [
        (ANN, "kim+lee"),
        (BOB, "lee"),
        (SMITH, "lee"),
        (PARIS_GPE, "kim"),
    ]
    r.choose(3, None)
    assert r.pending == 1
    with pytest.raises(ValueError):
        r.choose(0, "both")  # type: ignore[arg-type]


def test_free_edits_keep_origins_and_credit_the_reviewer() -> None:
    r = review([ANN, PARIS_GPE], [ANN, PARIS_ORG])
    edited = [ANN, Entity(25, 30, "LOC"), Entity(12, 21, "PERSON", "model")]
    gold = r.gold("max", edited)  # allowed before every disagreement is decided
    assert [(s.entity, s.origin) for s in gold.spans] == [
        (ANN, "kim+lee"),
        (Entity(12, 21, "PERSON"), "max"),
        (Entity(25, 30, "LOC"), "max"),
    ]
    assert all(s.entity.source == "user" for s in gold.spans)
    with pytest.raises(ReviewError, match="overlaps"):
        r.gold("max", [ANN, Entity(4, 11, "PERSON")])


def test_gold_is_written_accepted_by_the_reviewer(tmp_path: Path) -> None:
    r = review([ANN, PARIS_ORG, TOKYO, CAFE, LINE], [ANN, PARIS_GPE, TOKYO, CAFE, LINE])
    r.choose_all("right")
    path = write(tmp_path / "gold", r.gold("max"))
    assert path == gold_path(tmp_path / "gold", "a.txt") == tmp_path / "gold" / "a.toml"
    loaded = store.load(path, r.article).annotation
    assert loaded.status == "accepted"
    assert loaded.annotator == "max"
    assert [replace(e, origin=None) for e in loaded.entities] == [
        ANN,
        PARIS_GPE,
        TOKYO,
        CAFE,
        LINE,
    ]
    assert [e.origin for e in loaded.entities] == [
        "kim+lee",
        "lee",
        "kim+lee",
        "kim+lee",
        "kim+lee",
    ]
    assert all(e.source == "user" for e in loaded.entities)
    assert [e.text(TEXT) for e in loaded.entities][2:] == ["東京", "Café\u0301", "New line"]


def versions() -> st.SearchStrategy[list[Entity]]:
    """Non-overlapping spans over the words of TEXT."""
    words = [(0, 3), (4, 7), (8, 11), (12, 15), (16, 21), (22, 24), (25, 30), (31, 36)]

    @st.composite
    def build(draw: st.DrawFn) -> list[Entity]:
        spans, i = [], 0
        while i < len(words):
            if draw(st.booleans()):
                j = draw(st.integers(i, min(i + 2, len(words) - 1)))
                spans.append(Entity(words[i][0], words[j][1], draw(st.sampled_from("AB"))))
                i = j + 1
            else:
                i += 1
        return spans

    return build()


@settings(max_examples=80, deadline=None)
@given(versions(), versions(), st.data())
def test_any_decisions_give_valid_gold(
    left: list[Entity], right: list[Entity], data: st.DataObject
) -> None:
    r = review(left, right)
    for side, expected in (("left", left), ("right", right)):
        r.choose_all(side)  # type: ignore[arg-type]
        assert list(r.entities()) == sorted(expected)
    for i in range(len(r.disagreements)):
        r.choose(i, data.draw(st.sampled_from(["left", "right", "neither"])))
    gold = r.gold("max")
    store.dumps(gold.annotation(), TEXT)  # valid spans: the store can write them
    keys = {(e.start, e.end, e.label) for e in left} | {(e.start, e.end, e.label) for e in right}
    assert all((s.entity.start, s.entity.end, s.entity.label) in keys for s in gold.spans)


@pytest.fixture
def two(tmp_path: Path) -> Path:
    arts = tmp_path / "articles"
    arts.mkdir()
    (arts / "a.txt").write_bytes(TEXT.encode("utf-8"))
    (arts / "b.txt").write_text("Kim and Lee agree on Paris.", encoding="utf-8")
    write_version(tmp_path / "kim", arts, "a.txt", [ANN, PARIS_GPE], annotator="kim")
    write_version(tmp_path / "lee", arts, "a.txt", [ANN, PARIS_ORG], annotator="lee")
    paris = Entity(21, 26, "GPE")
    write_version(tmp_path / "kim", arts, "b.txt", [paris], annotator="kim")
    write_version(tmp_path / "lee", arts, "b.txt", [paris], annotator="lee")
    return tmp_path


def test_reviews_from_gathered_folders_and_accept_agreed(two: Path) -> None:
    gathered = gather(two / "articles", [two / "kim", two / "lee"], {"accepted"})
    reviews = [Review.from_shared(s) for s in gathered.shared]
    assert [(r.article.id, r.left.name, r.right.name, r.agrees) for r in reviews] == [
        ("a.txt", "kim", "lee", False),
        ("b.txt", "kim", "lee", True),
    ]
    out = two / "gold"
    done = accept_agreed(reviews, out, "max")
    assert done.written == [out / "b.toml"] and done.disagreeing == ["a.txt"]
    b = read_article(two / "articles", "b.txt")
    assert store.load(out / "b.toml", b).annotation.status == "accepted"
    # a second run never overwrites gold that is already there
    (out / "b.toml").write_text((out / "b.toml").read_text() + "\n", encoding="utf-8")
    before = (out / "b.toml").read_bytes()
    again = accept_agreed(reviews, out, "max")
    assert again.written == [] and again.kept == [out / "b.toml"]
    assert (out / "b.toml").read_bytes() == before


def test_load_pairs_two_folders_and_counts_what_is_left(two: Path) -> None:
    arts = two / "articles"
    (arts / "c.txt").write_text("Only Kim saw this.", encoding="utf-8")
    write_version(two / "kim", arts, "c.txt", [], annotator="kim")
    write_version(two / "lee", arts, "b.txt", [], status="rejected", annotator="lee")
    reviews, skipped = load(arts, two / "kim", two / "lee")
    assert [r.article.id for r in reviews] == ["a.txt"]
    assert [s.article for s in skipped] == ["b.txt", "c.txt"]
    assert remaining(reviews) == 1
    reviews[0].choose(0, "left")
    assert remaining(reviews) == 0


def test_same_annotator_name_in_both_folders_is_told_apart(two: Path) -> None:
    arts = two / "articles"
    write_version(two / "lee", arts, "a.txt", [ANN], annotator="kim")
    shared = gather(arts, [two / "kim", two / "lee"], {"accepted"}).shared[0]
    r = Review.from_shared(shared)
    assert r.left.name != r.right.name
    assert r.left.name.startswith("kim (") and str(two / "lee") in r.right.name


def test_gold_path_keeps_subfolders(tmp_path: Path) -> None:
    assert gold_path(tmp_path, "world/x.txt") == tmp_path / "world" / "x.toml"


def test_step_walks_every_disagreement_both_ways_and_wraps() -> None:
    r = review([ANN, BOB_SMITH, PARIS_GPE], [BOB, PARIS_ORG, CAFE])
    starts = [d.start for d in r.disagreements]
    assert starts == [0, 12, 25, CAFE.start]
    assert r.step(-1, 1) == 0 and r.step(0, 1) == 1 and r.step(13, 1) == 2
    assert r.step(CAFE.start, 1) == 0  # wraps to the first
    assert r.step(13, -1) == 0  # from inside the second, back to the first
    assert r.step(0, -1) == 3  # wraps to the last
    assert review([ANN], [ANN]).step(0, 1) is None


def test_draft_decisions_edit_the_gold_and_undo_keeps_them_in_step() -> None:
    r = review([ANN, BOB_SMITH, PARIS_GPE], [ANN, BOB, SMITH, PARIS_ORG])
    draft = Draft.start(r)
    doc = draft.document
    assert doc.entities == (ANN,) and draft.pending == 2
    edit = draft.decide(0, "right")
    assert edit is not None and doc.entities == (ANN, BOB, SMITH)
    assert r.choices == ["right", None]
    neither = draft.decide(1, "neither")  # nothing there yet: the gold stays, a step all the same
    assert neither.extent is None and draft.complete
    for undone, choices in ((neither, ["right", None]), (edit, [None, None])):
        assert doc.undo() is undone
        draft.edited(undone)
        assert r.choices == choices
    assert doc.entities == (ANN,)
    for redone in (edit, neither):
        assert doc.redo() is redone
        draft.edited(redone)
    assert r.choices == ["right", "neither"] and doc.entities == (ANN, BOB, SMITH)
    assert draft.decide(0, "left") is not None  # a decision can be changed
    assert doc.entities == (ANN, BOB_SMITH)
    gold = draft.gold("max")
    assert [(s.entity, s.origin) for s in gold.spans] == [(ANN, "kim+lee"), (BOB_SMITH, "kim")]


def test_a_free_edit_settles_the_disagreements_it_touches() -> None:
    r = review([ANN, BOB_SMITH, PARIS_GPE], [ANN, BOB, SMITH, PARIS_ORG])
    draft = Draft.start(r)
    doc = draft.document
    edit = doc.add(25, 30, "LOC")
    assert edit is not None
    draft.edited(edit)
    assert r.choices == [None, "edited"] and draft.pending == 1
    undone = doc.undo()
    assert undone is not None
    draft.edited(undone)
    assert r.choices == [None, None]
    redone = doc.redo()
    assert redone is not None
    draft.edited(redone)
    assert r.choices == [None, "edited"]
    outside = doc.add(0, 3, "PERSON")  # over the agreed "Ann Lee": no disagreement there
    assert outside is not None
    draft.edited(outside)
    assert draft.pending == 1
    draft.decide(0, "left")
    gold = draft.gold("max")
    assert [(s.entity, s.origin) for s in gold.spans] == [
        (Entity(0, 3, "PERSON"), "max"),
        (BOB_SMITH, "kim"),
        (Entity(25, 30, "LOC"), "max"),
    ]


def test_draft_from_written_gold_has_nothing_left() -> None:
    r = review([ANN, PARIS_GPE], [ANN, PARIS_ORG])
    draft = Draft.start(r, existing=[ANN, Entity(25, 30, "LOC", "model")])
    assert draft.complete and r.choices == ["edited"]
    assert draft.document.entities == (ANN, Entity(25, 30, "LOC"))


def test_a_half_done_review_is_written_in_progress_and_resumed(tmp_path: Path) -> None:
    r = review([ANN, BOB_SMITH, PARIS_GPE, TOKYO], [ANN, BOB, SMITH, PARIS_ORG, CAFE])
    draft = Draft.start(r)
    draft.decide(0, "right")
    draft.decide(2, "neither")
    edit = draft.document.add(25, 30, "LOC")
    assert edit is not None
    draft.edited(edit)
    assert r.choices == ["right", "edited", "neither", None]
    out = tmp_path / "gold"
    path = write(out, draft.gold("max"))
    assert store.load(path, r.article).annotation.status == "in_progress"
    again = review([ANN, BOB_SMITH, PARIS_GPE, TOKYO], [ANN, BOB, SMITH, PARIS_ORG, CAFE])
    resumed = Draft.open(again, out)
    assert again.choices == ["right", "edited", None, None]  # "neither" is asked again
    assert resumed.document.entities == draft.document.entities
    resumed.decide(2, "neither")
    resumed.decide(3, "right")
    write(out, resumed.gold("max"))
    loaded = store.load(path, r.article).annotation
    assert loaded.status == "accepted" and loaded.annotator == "max"
    assert loaded.entities == (
        replace(ANN, origin="kim+lee"),
        replace(BOB, origin="lee"),
        replace(SMITH, origin="lee"),
        Entity(25, 30, "LOC", origin="max"),
        replace(CAFE, origin="lee"),
    )
    third = review([ANN, BOB_SMITH, PARIS_GPE, TOKYO], [ANN, BOB, SMITH, PARIS_ORG, CAFE])
    assert Draft.open(third, out).complete  # accepted gold: nothing left to decide


def test_draft_open_without_gold_starts_from_the_agreed_spans(tmp_path: Path) -> None:
    r = review([ANN, PARIS_GPE], [ANN, PARIS_ORG])
    draft = Draft.open(r, tmp_path)
    assert draft.document.entities == (ANN,) and draft.pending == 1


def _key(e: Entity) -> tuple[int, int, str]:
    return (e.start, e.end, e.label)


@settings(max_examples=60, deadline=None)
@given(versions(), versions(), st.data())
def test_decisions_undo_and_redo_keep_the_gold_and_the_decisions_in_step(
    left: list[Entity], right: list[Entity], data: st.DataObject
) -> None:
    r = review(left, right)
    draft = Draft.start(r)
    doc = draft.document
    for _ in range(data.draw(st.integers(0, 12))):
        op = data.draw(st.sampled_from(["decide", "undo", "redo"]))
        if op == "decide" and r.disagreements:
            index = data.draw(st.integers(0, len(r.disagreements) - 1))
            draft.decide(index, data.draw(st.sampled_from(["left", "right", "neither"])))
        elif op in ("undo", "redo"):
            edit = doc.undo() if op == "undo" else doc.redo()
            if edit is not None:
                draft.edited(edit)
        for d, c in zip(r.disagreements, r.choices, strict=True):
            here = {_key(e) for e in doc.entities if e.start < d.end and d.start < e.end}
            assert here == {_key(e) for e in (d.spans(c) if c is not None else ())}
        assert {_key(e) for e in r.agreed} <= {_key(e) for e in doc.entities}


def test_text_both_versions_excluded_stays_excluded_in_the_gold(tmp_path: Path) -> None:
    boiler, other = (TEXT.index("New"), len(TEXT)), (8, 11)  # "New line here." and "met"
    r = Review.of(
        article(),
        Side("kim", (ANN, PARIS_GPE), (boiler, other)),
        Side("lee", (ANN, PARIS_ORG), (boiler,)),
    )
    assert r.excluded == (boiler,)
    draft = Draft.start(r)
    assert draft.document.excluded == (boiler,)
    draft.decide(0, "left")
    path = write(tmp_path, draft.gold("max"))
    assert store.load(path, r.article).annotation.excluded == (boiler,)
    again = Review.of(r.article, r.left, r.right)
    assert Draft.open(again, tmp_path).document.excluded == (boiler,)
    assert r.gold("max").excluded == (boiler,)  # accept_agreed's gold keeps it too


def test_the_articles_meta_reaches_the_gold(tmp_path: Path) -> None:
    arts = tmp_path / "articles"
    arts.mkdir()
    (arts / "a.txt").write_bytes(TEXT.encode("utf-8"))
    meta = {"title": "Ann Lee in Paris", "url": "https://example.com/a", "site": "example.com"}
    for name, paris in (("kim", PARIS_GPE), ("lee", PARIS_ORG)):
        path = write_version(tmp_path / name, arts, "a.txt", [ANN, paris], annotator=name)
        loaded = store.load(path, read_article(arts, "a.txt")).annotation
        store.save(path, replace(loaded, meta=meta), TEXT)
    shared = gather(arts, [tmp_path / "kim", tmp_path / "lee"], {"accepted"}).shared
    r = Review.from_shared(shared[0])
    assert r.meta == meta
    draft = Draft.start(r)
    draft.decide(0, "left")
    path = write(tmp_path / "gold", draft.gold("max"))
    assert store.load(path, r.article).annotation.meta == meta
