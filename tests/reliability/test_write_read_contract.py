"""Whatever an edit accepts, the store can read back: a save never writes a file it refuses."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core import store
from tui.core.article import Article, sha256_bytes
from tui.core.edits import Document
from tui.core.spans import SpanError
from tui.core.store import Annotation, StoreError
from tui.core.tokens import regex_tokens

TEXT = "Shafaq News said China and Iran met in Beijing; Xinhua agreed."
LABELS = st.text(st.sampled_from(list("AB \t\n\u00a0\u3000x")), max_size=4)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(labels=st.lists(st.tuples(st.integers(0, 11), LABELS, st.sampled_from("arl")), max_size=6))
def test_any_accepted_label_is_readable_after_saving(
    tmp_path: Path, labels: list[tuple[int, str, str]]
) -> None:
    art = Article("a.txt", Path("a.txt"), TEXT, sha256_bytes(TEXT.encode()))
    tokens = regex_tokens(TEXT)
    doc = Document(TEXT)
    for index, label, how in labels:
        span = tokens.span(index % len(tokens))
        try:
            if how == "a":
                doc.add(*span, label)
            elif how == "l":
                doc.label_all(*span, label, tokens)
            elif doc.entities:
                doc.relabel(doc.entities[index % len(doc.entities)], label)
        except (SpanError, ValueError):
            continue  # refusing a label outright is fine; writing it is not
    path = tmp_path / "a.toml"
    store.save(path, Annotation(art.id, art.sha256, doc.status, doc.entities), TEXT)
    try:
        loaded = store.load(path, art)
    except StoreError as exc:
        raise AssertionError(f"saved a file the store refuses: {exc}") from None
    assert loaded.annotation.entities == doc.entities
