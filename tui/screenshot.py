"""``python -m tui.screenshot docs/screenshot.svg``: the README's screenshot, made by the app.

Opens a temporary copy of ``articles/`` (so no annotation is written to the real folder) with
the installed model, waits for its suggestions, puts the cursor on an entity and exports
the main screen as SVG. Re-run it (``make screenshot``) whenever the screen changes.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

from tui.app import NewsmarkApp
from tui.core.workspace import Workspace

SIZE = (140, 45)


async def export(articles: Path, out: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "articles"
        shutil.copytree(articles, copy)
        app = NewsmarkApp(Workspace(copy, Path(tmp) / "annotations"), lock=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("n", "n", "n")
            await pilot.pause()
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(app.export_screenshot(title="newsmark"), "utf-8")


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "docs/screenshot.svg")
    articles = Path(argv[1]) if len(argv) > 1 else Path("articles")
    asyncio.run(export(articles, out))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
