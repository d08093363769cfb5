"""Agreement figures: a hand-computed case, kappa against statsmodels, skipping, the CLI."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.cli import main
from tui.core.agree import (
    OUTSIDE,
    agreement,
    cohen_kappa,
    fleiss_kappa,
    gather,
    span_scores,
    token_labels,
)
from tui.core.article import sha256_bytes
from tui.core.edits import Status
from tui.core.spans import Entity
from tui.core.store import Annotation, annotation_path, save

# "Ann Lee met Bob Smith in Paris today." -- 9 regex tokens
TEXT = "Ann Lee met Bob Smith in Paris today."
ANN_LEE = Entity(0, 7, "PERSON")
BOB_SMITH = Entity(12, 21, "PERSON")
BOB = Entity(12, 15, "PERSON")
PARIS_GPE = Entity(25, 30, "GPE")
PARIS_ORG = Entity(25, 30, "ORG")
A = [ANN_LEE, BOB_SMITH, PARIS_GPE]
B = [ANN_LEE, BOB, PARIS_ORG]


def write(
    folder: Path,
    articles: Path,
    article_id: str,
    entities: list[Entity],
    status: Status = "accepted",
    annotator: str | None = None,
) -> Path:
    data = (articles / article_id).read_bytes()
    text = data.decode("utf-8")
    path = annotation_path(folder, article_id)
    ann = Annotation(article_id, sha256_bytes(data), status, tuple(entities), annotator=annotator)
    save(path, ann, text)
    return path


@pytest.fixture
def team(tmp_path: Path) -> Path:
    """articles/ with the hand case, and folders kim/, lee/ and max/ annotating it."""
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a.txt").write_text(TEXT, encoding="utf-8")
    write(tmp_path / "kim", tmp_path / "articles", "a.txt", A, annotator="kim")
    write(tmp_path / "lee", tmp_path / "articles", "a.txt", B, annotator="lee")
    write(tmp_path / "max", tmp_path / "articles", "a.txt", A, annotator="max")
    return tmp_path


def test_span_scores_match_a_hand_computation() -> None:
    scores = span_scores(A, B)
    person, gpe, org = scores["PERSON"], scores["GPE"], scores["ORG"]
    # PERSON: "Ann Lee" matches exactly; "Bob" only overlaps "Bob Smith".
    assert (person.a, person.b, person.exact) == (2, 2, 1)
    assert (person.precision, person.recall, person.f1) == (0.5, 0.5, 0.5)
    assert (person.partial_a, person.partial_b, person.partial_f1) == (2, 2, 1.0)
    # Paris is GPE on one side and ORG on the other: no credit, not even partial.
    assert (gpe.a, gpe.b, gpe.exact, gpe.partial_a, gpe.recall) == (1, 0, 0, 0, 0.0)
    assert (org.a, org.b, org.exact, org.partial_b, org.precision) == (0, 1, 0, 0, 0.0)


def test_token_labels_use_the_io_scheme() -> None:
    assert (
        token_labels(TEXT, A)
        == ["PERSON", "PERSON", "O", "PERSON", "PERSON", "O", "GPE"] + [OUTSIDE] * 2
    )
    assert token_labels(TEXT, B)[4] == OUTSIDE  # "Smith" is outside "Bob"


def test_token_labels_count_code_points_across_emoji_cjk_combining_and_crlf() -> None:
    text = "👍🏽 東京 visit\r\nCafé\u0301 Zoë in Paris"
    paris = text.index("Paris")
    tokyo = text.index("東京")
    cafe = text.index("Café\u0301")
    spans = [
        Entity(tokyo, tokyo + 2, "GPE"),
        Entity(cafe, cafe + 5, "ORG"),
        Entity(paris, paris + 5, "GPE"),
    ]
    labels = token_labels(text, spans)
    from tui.core.tokens import regex_tokens

    tokens = regex_tokens(text)
    words = [text[s:e] for s, e in zip(tokens.starts, tokens.ends, strict=True)]
    assert dict(zip(words, labels, strict=True)) == {
        **{w: OUTSIDE for w in words},
        "東京": "GPE",
        "Café\u0301": "ORG",
        "Paris": "GPE",
    }


def test_agreement_of_two_matches_a_hand_computation(team: Path) -> None:
    gathered = gather(team / "articles", [team / "kim", team / "lee"], {"accepted"})
    report = agreement(["kim", "lee"], gathered)
    assert report.articles == ["a.txt"] and report.skipped == []
    assert report.tokens == 9
    pair = report.pairs[0]
    assert (pair.overall.a, pair.overall.b, pair.overall.exact) == (3, 3, 1)
    assert pair.overall.f1 == pytest.approx(1 / 3)
    assert pair.overall.partial_f1 == pytest.approx(2 / 3)
    # 7 of 9 tokens agree; kim has PERSON 4, O 4, GPE 1; lee has PERSON 3, O 5, ORG 1.
    observed, expected = Fraction(7, 9), Fraction(4 * 3 + 4 * 5, 81)
    assert report.kappa_method == "cohen"
    assert report.kappa == pytest.approx(float((observed - expected) / (1 - expected)))
    assert report.kappa == pytest.approx(31 / 49)


def test_agreement_of_three_uses_fleiss_kappa(team: Path) -> None:
    folders = [team / "kim", team / "lee", team / "max"]
    report = agreement(["kim", "lee", "max"], gather(team / "articles", folders, {"accepted"}))
    assert report.kappa_method == "fleiss"
    # Seven tokens all agree (P_i = 1), "Smith" and "Paris" split 2:1 (P_i = 1/3);
    # category totals PERSON 11, O 13, GPE 2, ORG 1 out of 27 ratings.
    p_bar = Fraction(7 + Fraction(2, 3), 9)
    p_e = Fraction(11**2 + 13**2 + 2**2 + 1**2, 27**2)
    assert report.kappa == pytest.approx(float((p_bar - p_e) / (1 - p_e)))
    assert [(p.a, p.b) for p in report.pairs] == [("kim", "lee"), ("kim", "max"), ("lee", "max")]
    assert report.pairs[1].overall.f1 == 1.0 and report.pairs[1].kappa == 1.0


def test_kappa_is_undefined_when_nothing_varies() -> None:
    assert cohen_kappa([], []) is None
    assert cohen_kappa(["O", "O"], ["O", "O"]) is None
    assert fleiss_kappa([("O", "O", "O")] * 4) is None


labels = st.lists(st.sampled_from(["O", "PER", "ORG", "GPE"]), min_size=1, max_size=60)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # statsmodels divides 0 by 0 there
@settings(max_examples=60, deadline=None)
@given(st.data())
def test_cohen_kappa_matches_statsmodels(data: st.DataObject) -> None:
    from statsmodels.stats.inter_rater import cohens_kappa, to_table

    a = data.draw(labels)
    b = data.draw(
        st.lists(st.sampled_from(["O", "PER", "ORG", "GPE"]), min_size=len(a), max_size=len(a))
    )
    ours = cohen_kappa(a, b)
    codes = {c: i for i, c in enumerate(sorted(set(a) | set(b)))}
    table, _ = to_table([[codes[x], codes[y]] for x, y in zip(a, b, strict=True)])
    theirs = float(cohens_kappa(table, return_results=False))
    if ours is None:
        assert len(codes) == 1 and math.isnan(theirs)  # one category: chance explains all
    else:
        assert ours == pytest.approx(theirs)


@settings(max_examples=60, deadline=None)
@given(st.integers(3, 5), st.data())
def test_fleiss_kappa_matches_statsmodels(raters: int, data: st.DataObject) -> None:
    from statsmodels.stats.inter_rater import aggregate_raters
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    rows = data.draw(
        st.lists(
            st.lists(st.sampled_from(["O", "PER", "ORG"]), min_size=raters, max_size=raters),
            min_size=1,
            max_size=40,
        )
    )
    ours = fleiss_kappa(rows)
    codes = {c: i for i, c in enumerate(sorted({x for row in rows for x in row}))}
    counts, _ = aggregate_raters([[codes[x] for x in row] for row in rows])
    if ours is None:
        assert len(codes) == 1
    else:
        assert ours == pytest.approx(float(sm_fleiss(counts, method="fleiss")))


def test_gather_skips_with_reasons(team: Path) -> None:
    arts = team / "articles"
    (arts / "b.txt").write_text("Only Kim did this one.", encoding="utf-8")
    (arts / "c.txt").write_text("Lee is still on this one.", encoding="utf-8")
    (arts / "d.txt").write_text("Broken for Lee.", encoding="utf-8")
    write(team / "kim", arts, "b.txt", [])
    write(team / "kim", arts, "c.txt", [])
    write(team / "lee", arts, "c.txt", [], status="in_progress")
    write(team / "kim", arts, "d.txt", [])
    annotation_path(team / "lee", "d.txt").write_text("schema = 1\nnot toml [", encoding="utf-8")
    gathered = gather(arts, [team / "kim", team / "lee"], {"accepted"})
    assert [s.id for s in gathered.shared] == ["a.txt"]
    reasons = {s.article: s.reason for s in gathered.skipped}
    assert set(reasons) == {"b.txt", "c.txt", "d.txt"}
    assert reasons["b.txt"] == f"not annotated in {team / 'lee'}"
    assert "status is in_progress" in reasons["c.txt"]
    assert "not valid TOML" in reasons["d.txt"]
    # with in_progress allowed, c.txt is compared
    allowed = gather(arts, [team / "kim", team / "lee"], {"accepted", "in_progress"})
    assert "c.txt" in [s.id for s in allowed.shared]


def test_gather_reports_annotations_of_a_missing_article(team: Path) -> None:
    for who in ("kim", "lee"):
        (team / who / "gone.toml").write_text(
            (team / who / "a.toml").read_text(encoding="utf-8"), encoding="utf-8"
        )
    gathered = gather(team / "articles", [team / "kim", team / "lee"], {"accepted"})
    assert [(s.article, "no such article" in s.reason) for s in gathered.skipped] == [
        ("gone.txt", True)
    ]


def test_cli_json(team: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "agree",
            str(team / "kim"),
            str(team / "lee"),
            "--articles",
            str(team / "articles"),
            "--json",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["compared"] == 1 and out["skipped"] == 0
    assert out["tokenizer"] == "regex" and out["tokens"] == 9
    assert out["kappa"] == {"method": "cohen", "value": round(31 / 49, 4)}
    pair = out["pairs"][0]
    assert pair["overall"]["f1"] == round(1 / 3, 4)
    assert pair["overall"]["partial_f1"] == round(2 / 3, 4)
    assert pair["labels"]["PERSON"]["exact"] == 1


def test_cli_table(team: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folders = [str(team / w) for w in ("kim", "lee", "max")]
    assert main(["agree", *folders, "--articles", str(team / "articles")]) == 0
    out = capsys.readouterr().out
    assert "Fleiss' kappa" in out and "0.751" in out
    assert "partial F1" in out and "PERSON" in out


def test_cli_usage_errors(team: Path, capsys: pytest.CaptureFixture[str]) -> None:
    arts = ["--articles", str(team / "articles")]
    assert main(["agree", str(team / "kim"), *arts]) == 2
    assert "two or more" in capsys.readouterr().err
    assert main(["agree", str(team / "kim"), str(team / "nobody"), *arts]) == 2
    assert "nobody is not a folder" in capsys.readouterr().err
    assert main(["agree", str(team / "kim"), str(team / "kim"), *arts]) == 2
    assert main(["agree", str(team / "kim"), str(team / "lee"), "--status", "done", *arts]) == 2
    assert "--status" in capsys.readouterr().err


def test_cli_nothing_to_compare(team: Path, capsys: pytest.CaptureFixture[str]) -> None:
    arts = ["--articles", str(team / "articles")]
    code = main(["agree", str(team / "kim"), str(team / "lee"), "--status", "rejected", *arts])
    assert code == 1
    assert "no article could be compared" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["agree", "--json"], ["agree"], ["stats"], ["validate"]])
def test_a_closed_pipe_ends_quietly(team: Path, command: list[str]) -> None:
    """``newsmark agree … --json | head -1``: the reader went away; no traceback, and an exit
    status that is not success (141 as for SIGPIPE; rich's own console exits 1)."""
    import subprocess
    import sys

    folders = [str(team / name) for name in ("kim", "lee")]
    args = [*command, "--articles", str(team / "articles")]
    args += folders if command[0] == "agree" else ["--annotations", folders[0]]
    child = subprocess.Popen(
        [sys.executable, "-m", "tui", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # before the command prints its first line
    err = child.stderr.read().decode()
    assert child.wait(timeout=120) in (1, 141), err
    assert err == ""
