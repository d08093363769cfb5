"""``export --format conll`` parsed back to character spans and compared with the TOML."""

from __future__ import annotations

from pathlib import Path

from test_export_corpus import SPECS, find_entities, make_corpus, run_export, selected


def export(root: Path, out: Path, *args: str) -> int:
    return run_export(root, "conll", out, *args)


def parse_conll(data: str) -> list[list[list[tuple[str, str]]]]:
    """Documents of sentences of (token, tag), as a CoNLL-2003 reader sees them."""
    docs: list[list[list[tuple[str, str]]]] = []
    sentence: list[tuple[str, str]] = []
    for line in data.split("\n"):
        if line.startswith("-DOCSTART-"):
            docs.append([])
            continue
        if not line:
            if sentence:
                docs[-1].append(sentence)
                sentence = []
            continue
        token, tag = line.split("\t")
        sentence.append((token, tag))
    assert not sentence, "the file must end with a blank line"
    return docs


def spans_from_iob2(text: str, sentences: list[list[tuple[str, str]]]) -> list[tuple]:  # type: ignore[type-arg]
    """Find each token in the text in order (only whitespace between) and rebuild entities."""
    pos = 0
    spans: list[list] = []  # type: ignore[type-arg]
    for sentence in sentences:
        for i, (token, tag) in enumerate(sentence):
            start = text.index(token, pos)
            assert text[pos:start].strip() == "", (token, text[pos:start])
            pos = start + len(token)
            if tag.startswith("B-"):
                spans.append([start, pos, tag[2:]])
            elif tag.startswith("I-"):
                assert i > 0 and spans and spans[-1][2] == tag[2:], "I- must continue an entity"
                spans[-1][1] = pos
            else:
                assert tag == "O"
    assert text[pos:].strip() == ""
    return [tuple(s) for s in spans]


def test_conll_parses_back_to_the_toml_entities(tmp_path: Path) -> None:
    make_corpus(tmp_path)
    out = tmp_path / "data.conll"
    assert export(tmp_path, out) == 0
    data = out.read_text(encoding="utf-8")
    docs = parse_conll(data)
    specs = selected(SPECS, {"accepted"})
    assert len(docs) == len(specs) == data.count("-DOCSTART-")
    for spec, sentences in zip(specs, docs, strict=True):
        want = [(e.start, e.end, e.label) for e in find_entities(spec.text, spec.entities)]
        assert spans_from_iob2(spec.text, sentences) == want
        for sentence in sentences:
            for token, _ in sentence:
                assert token and not any(c.isspace() for c in token)


def test_sentences_break_at_full_stops_and_lines_but_never_inside_an_entity(
    tmp_path: Path,
) -> None:
    make_corpus(tmp_path)
    out = tmp_path / "data.conll"
    assert export(tmp_path, out) == 0
    docs = parse_conll(out.read_text(encoding="utf-8"))
    specs = selected(SPECS, {"accepted"})
    shafaq = docs[[s.article for s in specs].index("a_shafaq.txt")]
    assert [s[0][0] for s in shafaq] == ["Shafaq", "Wang"]
    lines = docs[[s.article for s in specs].index("c_lines.txt")]
    # "Acme\nCorp" spans a line break, which elsewhere starts a sentence.
    assert [s[0][0] for s in lines] == ["Shares", "Reuters"]
    assert ("Acme", "B-ORG") in lines[0] and ("Corp", "I-ORG") in lines[0]


def test_conll_split_gives_train_and_dev_files(tmp_path: Path) -> None:
    make_corpus(tmp_path)
    assert export(tmp_path, tmp_path / "folder", "--split", "0.25") == 0
    train = parse_conll((tmp_path / "folder" / "train.conll").read_text("utf-8"))
    dev = parse_conll((tmp_path / "folder" / "dev.conll").read_text("utf-8"))
    assert (len(train), len(dev)) == (3, 1)
