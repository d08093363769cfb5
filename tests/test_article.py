"""Corpus discovery and decoding: ids, BOM, CRLF, sha256 and the files we refuse."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.conftest import SEED_IDS, SEEDS
from tui.core.article import ArticleError, Corpus, CorpusError, read_article


def test_seed_articles_are_listed_in_order() -> None:
    corpus = Corpus.open(SEEDS)
    assert corpus.ids == SEED_IDS
    art = corpus.read(SEED_IDS[0])
    assert art.sha256 == hashlib.sha256((SEEDS / SEED_IDS[0]).read_bytes()).hexdigest()
    assert art.text.startswith("Shafaq News/ China")


def test_ids_use_slashes_and_skip_hidden(tmp_path: Path) -> None:
    (tmp_path / "world" / "asia").mkdir(parents=True)
    (tmp_path / "world" / "asia" / "a.txt").write_text("x")
    (tmp_path / "b.txt").write_text("y")
    (tmp_path / ".hidden.txt").write_text("z")
    (tmp_path / "notes.md").write_text("z")
    assert Corpus.open(tmp_path).ids == ["b.txt", "world/asia/a.txt"]


def test_ids_skip_hidden_folders_and_symlinked_folders_but_keep_symlinked_files(
    tmp_path: Path,
) -> None:
    root = tmp_path / "articles"
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "x.txt").write_text("x")
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "c.txt").write_text("x")
    (root / "a" / "b.txt").write_text("x")  # sorts after "a/b/c.txt"
    (root / "a.b.txt").write_text("x")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.txt").write_text("x")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (root / "file-link.txt").symlink_to(outside / "o.txt")
    assert Corpus.open(root).ids == ["a.b.txt", "a/b.txt", "a/b/c.txt", "file-link.txt"]


def test_bom_dropped_crlf_kept_sha_of_bytes(tmp_path: Path) -> None:
    data = "\ufeffOne\r\nTwo 😀 中 e\u0301\r\n".encode()
    (tmp_path / "a.txt").write_bytes(data)
    art = read_article(tmp_path, "a.txt")
    assert art.text == "One\r\nTwo 😀 中 e\u0301\r\n"
    assert art.text.index("Two") == 5
    assert art.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"caf\xe9", "not UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        (b"  \n\t", "empty"),
        (b"", "empty"),
    ],
)
def test_unusable_articles_name_the_file(tmp_path: Path, data: bytes, reason: str) -> None:
    (tmp_path / "bad.txt").write_bytes(data)
    with pytest.raises(ArticleError, match=reason) as info:
        read_article(tmp_path, "bad.txt")
    assert "bad.txt" in str(info.value)


def test_read_all_goes_on_past_bad_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"\xff")
    (tmp_path / "b.txt").write_text("fine")
    results = list(Corpus.open(tmp_path).read_all())
    assert isinstance(results[0], ArticleError)
    assert not isinstance(results[1], ArticleError) and results[1].text == "fine"


def test_missing_or_empty_folders(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        Corpus.open(tmp_path / "nope")
    with pytest.raises(CorpusError, match="no .txt files"):
        Corpus.open(tmp_path)
    (tmp_path / "f.txt").write_text("x")
    with pytest.raises(CorpusError, match="not a folder"):
        Corpus.open(tmp_path / "f.txt")
