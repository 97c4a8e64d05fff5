"""Time from process start to the first rendered queue (headless), beside a bare Textual app.

"First rendered" is the first frame the app hands to its driver to write out (App._display)
that shows it: the queue screen with its rows, and the bare app's one Static. Both are timed
the same way, from just before the interpreter is spawned.

CodeDesk runs as a user gets it: the default SQLite session store in a temporary data folder.

A third program is the floor: the part of the start no CodeDesk built on DESIGN.md's stack can
skip. It makes CodeDesk's Settings (pydantic-settings, a TOML file and CODEDESK_ variables) and
shows a Textual DataTable the size of the starter queue (66 rows of the queue's 10 columns) with
a footer, and nothing else: no pack, no session, no codebook, no stylesheet of its own. CodeDesk's
own work is the difference between it and the floor.

All three are measured in the same run, alternating, in fresh interpreters, so the ratios hold on
a noisy machine. Run: python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BARE = textwrap.dedent(
    """
    import sys, time
    from textual.app import App
    from textual.widgets import Static

    class Bare(App):
        def compose(self):
            yield Static("hello")
        def _display(self, screen, renderable):
            super()._display(screen, renderable)
            if renderable is not None and screen.query(Static):
                with open(sys.argv[-1], "w") as out:
                    out.write(repr(time.time()))
                self._display = lambda screen, renderable: None
                self.exit()

    Bare().run(headless=True, size=(100, 30))
    """
)

FLOOR = textwrap.dedent(
    """
    import sys, time
    from simulator.config import Settings
    from textual.app import App
    from textual.widgets import DataTable, Footer

    settings = Settings()

    class Floor(App):
        def compose(self):
            yield DataTable()
            yield Footer()
        def on_mount(self):
            table = self.query_one(DataTable)
            table.add_columns(*(f"column {c}" for c in range(10)))
            for row in range(66):
                table.add_row(*(f"r{row} c{c}" for c in range(10)))
        def _display(self, screen, renderable):
            super()._display(screen, renderable)
            if renderable is not None and screen.query_one(DataTable).row_count:
                with open(sys.argv[-1], "w") as out:
                    out.write(repr(time.time()))
                self._display = lambda screen, renderable: None
                self.exit()

    Floor().run(headless=True, size=(100, 30))
    """
)

CODEDESK = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from simulator.config import Settings
    from simulator.factory import make_app
    from simulator.tui.screens.queue import QueueScreen

    settings = Settings(cache_dir=Path(sys.argv[1]), data_dir=Path(sys.argv[1]) / "data")
    app = make_app(settings, seed=1)
    display = app._display

    def first_frame(screen, renderable):
        display(screen, renderable)
        if renderable is not None and isinstance(screen, QueueScreen):
            if screen.query_one("#queue-table").row_count:
                with open(sys.argv[-1], "w") as out:
                    out.write(repr(time.time()))
                app._display = display
                app.exit()

    app._display = first_frame
    app.run(headless=True, size=(100, 30))
    """
)


def once(script: str, *args: str) -> float:
    """Run a script in a fresh interpreter; return seconds from spawn to its first frame."""
    with tempfile.TemporaryDirectory() as scratch:
        stamp = Path(scratch) / "first-frame"
        start = time.time()
        subprocess.run([sys.executable, "-c", script, *args, str(stamp)], check=True, cwd=ROOT)
        return float(stamp.read_text()) - start


def main() -> None:
    """Measure both, alternating, and print medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        from simulator.codebook.build import build_index

        build_index(Path(cache))
        once(BARE)
        once(FLOOR)
        once(CODEDESK, cache)
        bare, floor, codedesk = [], [], []
        for _ in range(args.runs):
            bare.append(once(BARE))
            floor.append(once(FLOOR))
            codedesk.append(once(CODEDESK, cache))
    b, f, c = statistics.median(bare), statistics.median(floor), statistics.median(codedesk)
    print(f"bare Textual app, start to first frame: median {b * 1000:.0f} ms ({args.runs} runs)")
    print(
        f"floor (Settings + a DataTable the queue's size): median {f * 1000:.0f} ms, {f / b:.2f}x"
    )
    print(f"codedesk, start to first rendered queue: median {c * 1000:.0f} ms ({args.runs} runs)")
    print(f"ratio codedesk / bare: {c / b:.2f}x (goal <= 2.0x); codedesk / floor: {c / f:.2f}x")


if __name__ == "__main__":
    main()
