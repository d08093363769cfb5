"""Key-to-screen latency on a big article: 200,000 characters, 5,000 entities.

Drives the real app headless with Pilot and times each key from the moment it is sent to the
moment the screen update it caused has been rendered to terminal output. Prints p50/p99 per
action. Run: ``.venv/bin/python bench/keys.py`` (about a minute).
"""

from __future__ import annotations

import asyncio
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tui.app import NewsmarkApp  # noqa: E402
from tui.core import store  # noqa: E402
from tui.core.article import read_article  # noqa: E402
from tui.core.spans import Entity  # noqa: E402
from tui.core.workspace import Workspace  # noqa: E402

SIZE = 200_000
ENTITIES = 5_000
ROUNDS = 60
WORDS = re.compile(r"\b(China|Iran|Pezeshkian|Wang|Xi|Israel|Gaza|Lebanon|Tehran|BRICS)\b")


def build(folder: Path) -> str:
    """A big article from the seeds, with a TOML of exactly ``ENTITIES`` entities."""
    seeds = sorted((ROOT / "articles").glob("*.txt"))
    chunk = "\n\n".join(p.read_text("utf-8") for p in seeds)
    text = (chunk * (SIZE // len(chunk) + 1))[:SIZE]
    articles, annotations = folder / "articles", folder / "annotations"
    articles.mkdir()
    annotations.mkdir()
    (articles / "big.txt").write_text(text, "utf-8", newline="")
    article = read_article(articles, "big.txt")
    found = [m.span() for m in WORDS.finditer(article.text)]
    step = max(1, len(found) // ENTITIES)
    entities = tuple(Entity(s, e, "GPE", "model") for s, e in found[::step][:ENTITIES])
    annotation = store.Annotation(
        article="big.txt", sha256=article.sha256, entities=entities, model="bench"
    )
    store.save(annotations / "big.toml", annotation, article.text)
    return article.text


def no_model(name: str | None) -> Any:
    raise RuntimeError("the bench never loads a model")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(folder: Path) -> None:
    workspace = Workspace(folder / "articles", folder / "annotations")
    app = NewsmarkApp(workspace, ["big.txt"], pipeline_factory=no_model, lock=False)
    shown: list[float] = []
    original = app._display

    def display(screen: Any, renderable: Any) -> None:
        if renderable is not None and hasattr(renderable, "render_segments"):
            renderable.render_segments(app.console)  # what a real terminal would be sent
            shown.append(time.perf_counter())
        original(screen, renderable)

    app._display = display  # type: ignore[method-assign]
    started = time.perf_counter()
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        print(f"open: first screen {1000 * (shown[0] - started):.0f} ms after start")
        await app.workers.wait_for_complete()
        await pilot.pause()
        results: dict[str, list[float]] = {}

        async def timed(name: str, key: str, before: Callable[[], Any] | None = None) -> None:
            if before is not None:
                await before()
            shown.clear()
            t0 = time.perf_counter()
            await pilot.press(key)
            if shown:
                results.setdefault(name, []).append(1000 * (shown[0] - t0))

        for i in range(ROUNDS):
            await timed("cursor move (l/j)", "l" if i % 2 else "j")
        await pilot.press("pagedown", "pagedown")
        for _ in range(ROUNDS):
            # add: select two tokens, then label them
            await timed("add (L then 2)", "2", lambda: pilot.press("n", "l", "l", "L"))
        for i in range(ROUNDS):
            await timed(
                "relabel (1/3 on an entity)", "1" if i % 2 else "3", lambda: pilot.press("n")
            )
        for _ in range(ROUNDS):
            await timed("undo (u)", "u")
        await pilot.press("end")
        for _ in range(20):
            await timed("cursor move at the end", "h")
    print(f"article: {SIZE:,} characters, {ENTITIES:,} entities, terminal 140x45")
    print(f"{'action':32} {'n':>4} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, values in results.items():
        print(
            f"{name:32} {len(values):>4} {statistics.median(values):8.1f} "
            f"{percentile(values, 0.99):8.1f} {max(values):8.1f}"
        )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp))
        asyncio.run(run(Path(tmp)))


if __name__ == "__main__":
    main()
