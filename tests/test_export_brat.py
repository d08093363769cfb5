"""``export --format brat``: the .txt is the article, and the .ann parses back to the TOML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_export_corpus import SPECS, find_entities, make_corpus, run_export, selected

ANN = re.compile(r"T(\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)")


def export(root: Path, out: Path, *args: str) -> int:
    return run_export(root, "brat", out, *args)


def parse_ann(ann: str, text: str) -> list[tuple[int, int, str]]:
    """Check each text-bound annotation as brat does and return (first, last, type)."""
    entities = []
    for line in ann.split("\n"):
        if not line:
            continue
        match = ANN.fullmatch(line)
        assert match, line
        fragments = [tuple(map(int, f.split())) for f in match[3].split(";")]
        covered = " ".join(text[s:e] for s, e in fragments)
        assert covered == match[4]  # brat joins fragments with a space
        for s, e in fragments:
            assert "\n" not in text[s:e] and s < e
        entities.append((fragments[0][0], fragments[-1][1], match[2]))
    return entities


def test_brat_files_parse_back_to_the_toml(tmp_path: Path) -> None:
    make_corpus(tmp_path)
    out = tmp_path / "brat"
    assert export(tmp_path, out) == 0
    for spec in selected(SPECS, {"accepted"}):
        stem = spec.article[: -len(".txt")]
        assert (out / f"{stem}.txt").read_bytes() == spec.text.encode("utf-8")
        text = (out / f"{stem}.txt").read_bytes().decode("utf-8")
        ann = (out / f"{stem}.ann").read_text(encoding="utf-8")
        want = [(e.start, e.end, e.label) for e in find_entities(spec.text, spec.entities)]
        assert parse_ann(ann, text) == want
    conf = (out / "annotation.conf").read_text("utf-8")
    assert conf.startswith("[entities]\n") and "\nPERSON\n" in conf


def test_entity_across_a_line_break_becomes_fragments(tmp_path: Path) -> None:
    make_corpus(tmp_path)
    out = tmp_path / "brat"
    assert export(tmp_path, out) == 0
    ann = (out / "c_lines.ann").read_text("utf-8")
    assert "T1\tORG 10 14;15 19\tAcme Corp\n" in ann


def test_labels_with_spaces_become_underscores_and_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from test_export_corpus import Spec

    make_corpus(
        tmp_path,
        (Spec("x.txt", "Visit Big Sur today.", "accepted", (("Big Sur", "NATURAL PLACE"),)),),
    )
    out = tmp_path / "brat"
    assert export(tmp_path, out) == 0
    assert "NATURAL_PLACE 6 13\tBig Sur" in (out / "x.ann").read_text("utf-8")
    assert "NATURAL PLACE" in capsys.readouterr().err
