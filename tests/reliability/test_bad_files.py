"""Bad files never stop the work: each is reported with its path and field, and left alone."""

from __future__ import annotations

import os
import pathlib
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core import store
from tui.core.article import ArticleError
from tui.core.store import StoreError
from tui.core.tokens import regex_tokens
from tui.core.workspace import Workspace

from .conftest import PYTHON, child_env


@pytest.fixture
def saved(workdir: Path) -> tuple[Workspace, str, str]:
    """A workspace with one article saved with three entities; returns its TOML text too."""
    ws = Workspace(workdir / "articles", workdir / "annotations", annotator="kim")
    annotated = ws.open(ws.ids[0])
    tokens = regex_tokens(annotated.article.text)
    for i, label in ((0, "ORG"), (4, "GPE"), (9, "PERSON")):
        annotated.document.add(*tokens.span(i), label)
    ws.save(annotated)
    return ws, annotated.id, annotated.path.read_text("utf-8")


def fingerprint(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def every_workspace_operation(ws: Workspace, article_id: str) -> None:
    """Everything the app does with a folder on start-up and when the article is picked."""
    for aid in ws.ids:
        ws.summary(aid)
    ws.orphans()
    with pytest.raises(StoreError):
        ws.open(article_id)


def edit_entity(toml: str, index: int, key: str, value: str) -> str:
    """Replace ``key = ...`` in the ``index``-th ``[[entities]]`` table."""
    head, *tables = toml.split("[[entities]]")
    lines = tables[index].split("\n")
    lines = [f"{key} = {value}" if ln.startswith(f"{key} = ") else ln for ln in lines]
    tables[index] = "\n".join(lines)
    return "[[entities]]".join([head, *tables])


def set_top(toml: str, key: str, value: str) -> str:
    lines = toml.split("\n")
    return "\n".join(f"{key} = {value}" if ln.startswith(f"{key} = ") else ln for ln in lines)


HAND_EDITS: dict[str, tuple[Callable[[str], str], str]] = {
    "schema 2": (lambda t: set_top(t, "schema", "2"), "schema"),
    "schema string": (lambda t: set_top(t, "schema", '"1"'), "schema"),
    "status typo": (lambda t: set_top(t, "status", '"done"'), "status"),
    "sha not hex": (lambda t: set_top(t, "sha256", '"abc"'), "sha256"),
    "article int": (lambda t: set_top(t, "article", "7"), "article"),
    "article other": (lambda t: set_top(t, "article", '"other.txt"'), "article"),
    "updated date only": (lambda t: set_top(t, "updated", "2026-11-22"), "updated"),
    "annotator table": (lambda t: set_top(t, "annotator", "{ name = 1 }"), "annotator"),
    "start float": (lambda t: edit_entity(t, 1, "start", "0.5"), "entities[1].start"),
    "start bool": (lambda t: edit_entity(t, 1, "start", "true"), "entities[1].start"),
    "end before start": (lambda t: edit_entity(t, 2, "end", "1"), "entities[2].end"),
    "end past article": (lambda t: edit_entity(t, 2, "end", "999999"), "entities[2]"),
    "label empty": (lambda t: edit_entity(t, 0, "label", '""'), "entities[0].label"),
    "label padded": (lambda t: edit_entity(t, 0, "label", '" ORG"'), "entities[0].label"),
    "label array": (lambda t: edit_entity(t, 0, "label", '["ORG"]'), "entities[0].label"),
    "text mismatch": (lambda t: edit_entity(t, 1, "text", '"Nope"'), "entities[1].text"),
    "source robot": (lambda t: edit_entity(t, 0, "source", '"robot"'), "entities[0].source"),
    "unknown span key": (
        lambda t: t.replace("[[entities]]\n", "[[entities]]\ncolour = 1\n", 1),
        "entities[0].colour",
    ),
    "unknown top key": (lambda t: "reviewer = 1\n" + t, "reviewer"),
    "entities not array": (lambda t: t.split("[[entities]]")[0] + 'entities = "x"\n', "entities"),
    "entities of ints": (lambda t: t.split("[[entities]]")[0] + "entities = [1]\n", "entities[0]"),
    "schema missing": (lambda t: t.replace("schema = 1\n", ""), "schema"),
    "overlap": (
        lambda t: (
            t + '\n[[entities]]\nstart = 0\nend = 1\nlabel = "X"\ntext = "S"\nsource = "user"\n'
        ),
        "entities",
    ),
}


@pytest.mark.parametrize("case", list(HAND_EDITS))
def test_hand_edited_toml_names_path_and_field_and_is_never_modified(
    saved: tuple[Workspace, str, str], case: str
) -> None:
    ws, aid, toml = saved
    edit, field = HAND_EDITS[case]
    path = ws.path_for(aid)
    path.write_text(edit(toml), "utf-8")
    before = fingerprint(path)
    with pytest.raises(StoreError) as info:
        store.load(path, ws.corpus.read(aid))
    assert info.value.path == path and str(path) in str(info.value)
    assert info.value.field == field, str(info.value)
    every_workspace_operation(ws, aid)
    assert fingerprint(path) == before


@pytest.mark.parametrize(
    "content",
    [b"", b"\n", b"schema = 1\n[[entities]\n", b"\xff\xfe\x00garbage", b"= = =", b"\x00" * 64],
    ids=["empty", "newline", "broken table", "binary", "syntax", "nul"],
)
def test_corrupt_toml_is_reported_in_summary_and_left_alone(
    saved: tuple[Workspace, str, str], content: bytes
) -> None:
    ws, aid, _ = saved
    path = ws.path_for(aid)
    path.write_bytes(content)
    before = fingerprint(path)
    with pytest.raises(StoreError) as info:
        ws.open(aid)
    assert str(info.value).startswith(f"{path}: ")
    summary = ws.summary(aid)
    assert summary.problem is not None and path.name in summary.problem.reason
    every_workspace_operation(ws, aid)
    assert fingerprint(path) == before
    other = ws.open(ws.ids[1])  # the rest of the folder still works
    other.document.add(0, 6, "ORG")
    ws.save(other)
    assert fingerprint(path) == before


def test_every_truncation_of_a_file_loads_or_is_reported(saved: tuple[Workspace, str, str]) -> None:
    ws, aid, toml = saved
    data = toml.encode("utf-8")
    article = ws.corpus.read(aid)
    path = ws.path_for(aid)
    full = set(store.load(path, article).annotation.entities)
    outcomes = {"loaded": 0, "reported": 0}
    for cut in range(len(data)):
        path.write_bytes(data[:cut])
        try:
            loaded = store.load(path, article)
        except StoreError as exc:
            assert exc.path == path
            outcomes["reported"] += 1
        else:
            assert set(loaded.annotation.entities) <= full  # a cut file never invents spans
            outcomes["loaded"] += 1
        assert path.read_bytes() == data[:cut]
    assert outcomes["reported"] > len(data) // 2


def test_unknown_labels_load_and_save_unchanged(saved: tuple[Workspace, str, str]) -> None:
    ws, aid, toml = saved
    path = ws.path_for(aid)
    toml = edit_entity(toml, 0, "label", '"MY_OWN_LABEL"')
    path.write_text(edit_entity(toml, 1, "label", '"Ünïcödé label ✓"'), "utf-8")
    annotated = ws.open(aid)
    labels = [e.label for e in annotated.document.entities]
    assert labels == ["MY_OWN_LABEL", "Ünïcödé label ✓", "PERSON"]
    ws.save(annotated)
    assert [e["label"] for e in tomllib.loads(path.read_text("utf-8"))["entities"]] == labels


TOML_VALUES = st.one_of(
    st.integers(-(2**63), 2**63 - 1).map(str),
    st.sampled_from(["true", "1.5", "nan", '""', '" x "', "[]", "[1, 2]", "{}", "2026-11-22"]),
    st.text(max_size=8).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'),
)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(line=st.integers(0, 40), value=TOML_VALUES)
def test_any_value_in_any_field_loads_or_names_the_field(
    saved: tuple[Workspace, str, str], line: int, value: str
) -> None:
    ws, aid, toml = saved
    lines = toml.split("\n")
    i = line % len(lines)
    if " = " not in lines[i]:
        return
    lines[i] = lines[i].split(" = ")[0] + " = " + value
    path = ws.path_for(aid)
    path.write_text("\n".join(lines), "utf-8")
    before = fingerprint(path)
    try:
        annotated = ws.open(aid)
    except StoreError as exc:
        assert exc.path == path
        assert exc.field is not None or "TOML" in exc.message or "UTF-8" in exc.message
    else:
        entities = annotated.document.entities
        text = annotated.article.text
        assert all(0 <= e.start < e.end <= len(text) for e in entities)
    ws.summary(aid)
    assert fingerprint(path) == before
    path.write_text(toml, "utf-8")


def test_toml_whose_article_vanished_is_an_orphan_and_left_alone(
    saved: tuple[Workspace, str, str],
) -> None:
    ws, aid, _ = saved
    path = ws.path_for(aid)
    before = fingerprint(path)
    (ws.corpus.root / aid).unlink()
    ws2 = Workspace(ws.corpus.root, ws.annotations)
    assert ws2.orphans() == [path]
    with pytest.raises(ArticleError) as info:
        ws.open(aid)  # an id listed before the file vanished
    assert "no longer exists" in str(info.value)
    assert [s.problem for s in map(ws2.summary, ws2.ids)] == [None]
    assert fingerprint(path) == before


def test_subfolder_named_like_a_toml_file_is_not_an_orphan(workdir: Path) -> None:
    sub = workdir / "articles" / "2024.toml"
    sub.mkdir()
    (sub / "a.txt").write_text("Reuters reported from Paris.", "utf-8")
    ws = Workspace(workdir / "articles", workdir / "annotations")
    annotated = ws.open("2024.toml/a.txt")
    annotated.document.add(0, 7, "ORG")
    ws.save(annotated)
    assert list(store.iter_files(ws.annotations)) == [ws.annotations / "2024.toml" / "a.toml"]
    assert ws.orphans() == []


def make_big_corpus(root: Path, n: int) -> dict[str, str]:
    """``n`` small articles plus a few that cannot be used; returns bad id -> reason word."""
    root.mkdir()
    for i in range(n):
        (root / f"{i:05d}.txt").write_bytes(b"Reuters reported from Paris on day %d.\n" % i)
    bad = {
        "bad_latin1.txt": "UTF-8",
        "bad_binary.txt": "binary",
        "bad_empty.txt": "empty",
        "bad_blank.txt": "empty",
        "bad_dangling.txt": "no longer exists",
        "bad_loop.txt": "cannot be read",
        "bad_denied.txt": "cannot be read",
    }
    (root / "bad_latin1.txt").write_bytes("Café in Zürich".encode("latin-1"))
    (root / "bad_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (root / "bad_empty.txt").write_bytes(b"")
    (root / "bad_blank.txt").write_bytes(b" \r\n\t\n")
    os.symlink(root / "nowhere.txt.gone", root / "bad_dangling.txt")
    os.symlink(root / "bad_loop.txt", root / "bad_loop.txt")
    (root / "bad_denied.txt").write_bytes(b"secret")
    return bad


def test_ten_thousand_articles_with_a_few_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = 10_000
    bad = make_big_corpus(tmp_path / "articles", n)
    real_read = pathlib.Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "bad_denied.txt":  # root ignores permission bits, so simulate them
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
    annotations = tmp_path / "annotations"
    annotations.mkdir()
    (annotations / "00007.toml").write_text("not = [toml", "utf-8")
    (annotations / "bad_binary.toml").write_bytes(b"\xff")

    ws = Workspace(tmp_path / "articles", annotations)
    assert len(ws.ids) == n + len(bad)
    summaries = [ws.summary(aid) for aid in ws.ids]
    assert {s.article for s in summaries if s.problem} == {"00007.txt", "bad_binary.txt"}
    good = errors = 0
    for item in ws.corpus.read_all():
        if isinstance(item, ArticleError):
            name = item.path.name
            assert bad[name] in item.reason, (name, item.reason)
            assert str(item).startswith(str(item.path))
            errors += 1
        else:
            good += 1
    assert (good, errors) == (n, len(bad))
    with pytest.raises(StoreError):
        ws.open("00007.txt")
    annotated = ws.open("00008.txt")  # the neighbours of a bad file work
    annotated.document.add(0, 7, "ORG")
    ws.save(annotated)


SPECIAL_FILES = """
import sys
from pathlib import Path
from tui.core.article import ArticleError, Corpus
root = Path(sys.argv[1])
for item in Corpus.open(root).read_all():
    print(item.path.name if isinstance(item, ArticleError) else item.id, flush=True)
"""


def test_a_named_pipe_among_the_articles_does_not_freeze_reading(tmp_path: Path) -> None:
    root = tmp_path / "articles"
    root.mkdir()
    (root / "a.txt").write_text("Reuters reported from Paris.", "utf-8")
    os.mkfifo(root / "b.txt")
    (root / "c.txt").write_text("Xinhua reported from Beijing.", "utf-8")
    proc = subprocess.Popen(
        [PYTHON, "-c", SPECIAL_FILES, str(root)],
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
        cwd=tmp_path,
    )
    try:
        out, _ = proc.communicate(timeout=3)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError("reading the articles folder hung on a named pipe") from None
    assert proc.returncode == 0
    assert out.split() == ["a.txt", "b.txt", "c.txt"]
