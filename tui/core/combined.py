"""A tuned entity recogniser for the project's labels next to the untouched base one.

Fine-tuning the base model's ``ner`` on a project's labels shifts its other labels too
(dates, numbers...): the person's annotations say nothing about them. So the model
``newsmark train`` saves keeps the base recogniser as a second, frozen component,
``ner_base``, sourced unchanged from the base pipeline, and two small components combine
the two::

    ner -> newsmark_hold_ents -> ner_base -> newsmark_merge_ents

``ner`` (tuned) reads the text first; ``newsmark_hold_ents`` sets its entities aside in
``doc.spans`` and clears ``doc.ents``, so ``ner_base`` reads the text exactly as the base
pipeline does (a recogniser keeps entities already on a doc); ``newsmark_merge_ents`` keeps
the tuned entities in the project's labels and the base's in every other label where they
overlap none of those. The project's labels come only from the tuned recogniser, the others
only from the base one.

The factories are registered with spaCy through the ``spacy_factories`` entry point
(:mod:`tui.spacy_factories`), so ``spacy.load`` finds them wherever newsmark is
installed; :func:`register` does the same when newsmark loads a pipeline itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span

HOLD = "newsmark_hold_ents"
MERGE = "newsmark_merge_ents"
BASE = "ner_base"
FACTORIES = (HOLD, MERGE)
KEY = "newsmark_tuned"
"""``doc.spans`` key where the tuned recogniser's entities wait for the merge."""


class HoldEnts:
    """Sets the entities found so far aside under ``key`` and leaves every token unknown."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self, doc: Doc) -> Doc:
        doc.spans[self.key] = list(doc.ents)
        doc.set_ents([], default="missing")
        return doc


class MergeEnts:
    """The held entities in ``labels``, then the current ones in other labels that overlap
    none of them."""

    def __init__(self, key: str, labels: Sequence[str]) -> None:
        self.key = key
        self.labels = tuple(labels)

    def __call__(self, doc: Doc) -> Doc:
        held: Iterable[Span] = doc.spans.pop(self.key, ())
        doc.ents = merge(held, doc.ents, self.labels)
        return doc


def merge(tuned: Iterable[Span], base: Iterable[Span], labels: Sequence[str]) -> list[Span]:
    """``tuned``'s spans in ``labels`` and ``base``'s in other labels that overlap none of
    those, in text order."""
    wanted = set(labels)
    kept = [s for s in tuned if s.label_ in wanted]
    taken = {i for s in kept for i in range(s.start, s.end)}
    others = [
        s
        for s in base
        if s.label_ not in wanted and not any(i in taken for i in range(s.start, s.end))
    ]
    return sorted([*kept, *others], key=lambda s: s.start)


def make_hold(nlp: Language, name: str, key: str) -> HoldEnts:
    return HoldEnts(key)


def make_merge(nlp: Language, name: str, key: str, labels: list[str]) -> MergeEnts:
    return MergeEnts(key, labels)


def register() -> None:
    """Register both factories with spaCy, once."""
    from spacy.language import Language

    if not Language.has_factory(HOLD):
        Language.factory(HOLD, default_config={"key": KEY}, func=make_hold)
    if not Language.has_factory(MERGE):
        Language.factory(MERGE, default_config={"key": KEY, "labels": []}, func=make_merge)


def owners(nlp: Language) -> dict[str, tuple[list[str], list[str]]]:
    """For a combined pipeline, the labels each recogniser decides (kept, dropped), so a
    beam scores each entity by the recogniser that found it; empty for any other."""
    for _, component in nlp.pipeline:
        if isinstance(component, MergeEnts) and BASE in nlp.pipe_names:
            return {"ner": (list(component.labels), []), BASE: ([], list(component.labels))}
    return {}


def combine(tuned: Language, base: Language, labels: Sequence[str], source: str = "ner") -> None:
    """Add the base pipeline's ``source`` recogniser to ``tuned`` as ``ner_base``, unchanged,
    with the components that keep the project's ``labels`` from ``tuned``'s own ``ner``."""
    register()
    if BASE in tuned.component_names:
        return
    tuned.add_pipe(HOLD, config={"key": KEY})
    tuned.add_pipe(source, name=BASE, source=base)
    tuned.add_pipe(MERGE, config={"key": KEY, "labels": list(labels)})
    # Trained again from the saved config, the base's recogniser stays as it is.
    training = tuned.config["training"]
    training["frozen_components"] = [*training.get("frozen_components", []), BASE]
