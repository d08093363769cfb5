"""The spaCy pipeline as a widget without a face: it loads the model, tokenizes and suggests
for the session's articles in thread workers, and posts the results straight to its screen
(one hop, as if the screen ran the workers itself).

spaCy is imported only inside the worker, after the first article is on screen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from textual import work
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerState, get_current_worker

from tui import messages
from tui.core import ner
from tui.core.ner import ModelError, Pipeline
from tui.core.session import Session
from tui.core.spans import Entity
from tui.core.tokens import Tokens
from tui.core.workspace import Annotated

if TYPE_CHECKING:
    from spacy.tokens import Doc

PipelineFactory = Callable[[str | None], Pipeline]


class Memory(Protocol):
    """What the memory of corrections adds to the model (the main screen provides it)."""

    def memory_install(self, pipeline: Pipeline) -> None: ...
    def memory_due(self, annotated: Annotated) -> bool: ...
    def memory_entities(
        self, annotated: Annotated, doc: Doc, text: str, offset: int = 0
    ) -> list[Entity]: ...


class Model(Widget):
    """Posts :class:`~tui.messages.ModelReady` or ``ModelFailed``, then ``Prepared``s, to
    the screen, which hands each ``Prepared`` back to :meth:`take`."""

    DEFAULT_CSS = "Model { display: none; }"

    def __init__(
        self, session: Session, memory: Memory, factory: PipelineFactory, name: str | None
    ) -> None:
        super().__init__()
        self.session = session
        self.memory = memory
        self.factory = factory
        self.model_name = name
        self.pipeline: Pipeline | None = None
        self.nlp_lock = threading.Lock()  # one pipeline, used by one worker at a time

    def on_mount(self) -> None:
        self._screen = self.screen  # looked up here: workers must not walk the DOM

    def _send(self, message: Message) -> None:
        """From a worker thread: ``post_message`` is thread-safe."""
        self._screen.post_message(message)

    @work(thread=True, exclusive=True, exit_on_error=False, group="model")
    def load(self) -> None:
        """Started by the screen once the memory is read (it goes into the pipeline)."""
        try:
            pipeline = self.factory(self.model_name)
            self.memory.memory_install(pipeline)
        except ModelError as exc:
            self._send(messages.ModelFailed(str(exc)))
        except Exception as exc:  # a broken pipeline must not take the reader down
            self._send(messages.ModelFailed(f"The spaCy pipeline could not be loaded ({exc})."))
        else:
            self.pipeline = pipeline
            self._send(messages.ModelReady(pipeline))

    def prepare(self, article_id: str | None) -> None:
        """Tokens for an open article (and suggestions, if it had no TOML), in a thread."""
        pipeline, session = self.pipeline, self.session
        if pipeline is None or article_id is None or article_id not in session.opened:
            return
        annotated = session.opened[article_id]
        suggest = session.needs_suggestions(article_id) or self.memory.memory_due(annotated)
        if article_id in session.tokens and not suggest:
            return
        text = annotated.article.text

        def run() -> None:
            # One pass: the NER doc carries the tokens too (entity components don't
            # retokenize). A long article goes through in pieces (ner.pieces), each piece's
            # doc dropped once its tokens and entities are read.
            spans: list[tuple[int, int]] = []
            found: list[Entity] | None = [] if suggest else None
            worker = get_current_worker()
            with self.nlp_lock:
                for start, end in ner.pieces(text, min(ner.PIECE_CHARS, pipeline.nlp.max_length)):
                    if worker.is_cancelled:  # quitting, or the article closed: stop a long one
                        return
                    piece = text[start:end]
                    doc = pipeline.nlp(piece) if suggest else pipeline.nlp.tokenizer(piece)
                    spans.extend((start + t.idx, start + t.idx + len(t)) for t in doc)
                    if found is not None:
                        found += self.memory.memory_entities(annotated, doc, piece, start)
            self._send(messages.Prepared(article_id, Tokens.from_spans(spans), found))

        self.run_worker(
            run, thread=True, exclusive=True, group=f"prepare-{article_id}", exit_on_error=False
        )

    def take(self, message: messages.Prepared) -> None:
        """Put what a worker found into the session (on the event loop, not in the thread)."""
        session, aid, found = self.session, message.article, message.suggestions
        session.tokens[aid] = message.tokens
        if found is None or self.pipeline is None:
            return
        if session.needs_suggestions(aid):
            session.add_suggestions(aid, found, self.pipeline.name)
        else:  # the memory's update of a saved article waits for the person's next edit
            session.resuggest(aid, found, self.pipeline.name)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            reason = f"Background work failed: {event.worker.error}"
            self.notify(reason, severity="error", markup=False)
