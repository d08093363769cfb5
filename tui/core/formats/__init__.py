"""Training-data formats: TOML out to spaCy, Prodigy, doccano, CoNLL and brat, and back in.

Every writer takes the same selected :class:`~tui.core.formats.select.Item` list, so the
selection rules (status, split, skipped files) live in one place and every format exports
exactly the same articles and spans.
"""

from __future__ import annotations

FORMATS: tuple[str, ...] = ("spacy", "jsonl", "doccano", "conll", "brat")
IMPORT_FORMATS: tuple[str, ...] = ("jsonl", "doccano")


def jsonl_line(record: object) -> str:
    """One JSON object a line; non-ASCII kept readable, every line break inside escaped."""
    import json

    return json.dumps(record, ensure_ascii=False) + "\n"
