"""Training-data formats: TOML out to spaCy, Prodigy, doccano, CoNLL, brat and Label Studio,
and back in.

Every writer takes the same :class:`~tui.core.formats.base.ExportPlan`, so the selection
rules (status, split, skipped files) live in one place and every format exports exactly
the same articles and spans. Importing this package registers every format in
:data:`~tui.core.formats.base.REGISTRY`; spaCy itself is only imported when a format runs.
"""

from __future__ import annotations

from tui.core.formats import brat, conll, doccano, labelstudio, prodigy, spacy
from tui.core.formats.base import REGISTRY, Format, jsonl_line, readers, writers

_ORDER = ("spacy", "jsonl", "doccano", "conll", "brat", "labelstudio")
FORMATS: tuple[str, ...] = tuple(sorted(writers(), key=lambda n: (_ORDER + (n,)).index(n)))
IMPORT_FORMATS: tuple[str, ...] = tuple(sorted(readers(), key=lambda n: (_ORDER + (n,)).index(n)))

__all__ = [
    "FORMATS",
    "IMPORT_FORMATS",
    "REGISTRY",
    "Format",
    "brat",
    "conll",
    "doccano",
    "jsonl_line",
    "labelstudio",
    "prodigy",
    "spacy",
]
