"""The spaCy pipeline as a widget without a face: it loads the model, tokenizes and suggests
for the session's articles in thread workers, and posts the results straight to its screen
(one hop, as if the screen ran the workers itself).

spaCy is imported only inside the worker, after the first article is on screen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from textual import work
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from tui import messages
from tui.core import ner
from tui.core.ner import ModelError, Pipeline
from tui.core.session import Session
from tui.core.tokens import Tokens

PipelineFactory = Callable[[str | None], Pipeline]


class Model(Widget):
    """Posts :class:`~tui.messages.ModelReady` or ``ModelFailed``, then ``Prepared``s, to
    the screen, which hands each ``Prepared`` back to :meth:`take`."""

    DEFAULT_CSS = "Model { display: none; }"

    def __init__(self, session: Session, factory: PipelineFactory, name: str | None) -> None:
        super().__init__()
        self.session = session
        self.factory = factory
        self.model_name = name
        self.pipeline: Pipeline | None = None
        self._nlp = threading.Lock()  # one pipeline, used by one worker at a time

    def on_mount(self) -> None:
        self._screen = self.screen  # looked up here: workers must not walk the DOM
        self.load()

    def _send(self, message: Message) -> None:
        """From a worker thread: ``post_message`` is thread-safe."""
        self._screen.post_message(message)

    @work(thread=True, exclusive=True, exit_on_error=False, group="model")
    def load(self) -> None:
        try:
            pipeline = self.factory(self.model_name)
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
        suggest = session.needs_suggestions(article_id)
        if article_id in session.tokens and not suggest:
            return
        text = session.opened[article_id].article.text

        def run() -> None:
            with self._nlp:
                # One pass: the NER doc carries the tokens too (entity components don't retokenize).
                doc = pipeline.nlp(text) if suggest else pipeline.nlp.tokenizer(text)
            tokens = Tokens.from_spans((t.idx, t.idx + len(t)) for t in doc)
            found = ner.entities(doc, text) if suggest else None
            self._send(messages.Prepared(article_id, tokens, found))

        self.run_worker(
            run, thread=True, exclusive=True, group=f"prepare-{article_id}", exit_on_error=False
        )

    def take(self, message: messages.Prepared) -> None:
        """Put what a worker found into the session (on the event loop, not in the thread)."""
        self.session.tokens[message.article] = message.tokens
        if message.suggestions is not None and self.pipeline is not None:
            self.session.add_suggestions(message.article, message.suggestions, self.pipeline.name)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            reason = f"Background work failed: {event.worker.error}"
            self.notify(reason, severity="error", markup=False)
