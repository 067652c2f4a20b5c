"""Generate docs/screenshot.svg from the real app: `make screenshot`.

The bundled seed article at 110x36, after the analysis, with the cursor moved by Tab onto
the first quote that has a speaker, so the speaker is underlined and named in the quote
line. Textual's default theme.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from reader.corpus import load_corpus
from reader.resources import seeds_dir
from reader.ui.app import make_app

SIZE = (110, 36)
OUTPUT = Path(__file__).resolve().parent / "screenshot.svg"
MAX_TABS = 20


async def screenshot() -> str:
    app = make_app(load_corpus([seeds_dir()]))
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        state = app.reading.state
        for _ in range(MAX_TABS):
            await pilot.press("tab")
            quote = state.cursor_quote()
            if quote is not None and quote.speaker is not None:
                break
        else:
            raise SystemExit(f"no quote with a speaker within {MAX_TABS} Tabs")
        await pilot.pause()
        return app.export_screenshot(title="reader")


def main() -> None:
    svg = asyncio.run(screenshot())
    OUTPUT.write_text(svg, encoding="utf-8")
    print(f"wrote {OUTPUT} ({len(svg):,} bytes)")


if __name__ == "__main__":
    main()
