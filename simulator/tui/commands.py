"""Command-palette providers: look a code up from anywhere with Ctrl+P."""

from __future__ import annotations

import asyncio
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from simulator.codebook.search import Hit as CodeHit
from simulator.tui.text import literal


class CodeLookupProvider(Provider):
    """Searches the codebook in a thread; choosing a code adds it to the open chart."""

    async def search(self, query: str) -> Hits:
        """Yield the codebook's best matches for what was typed."""
        session = getattr(self.app, "session", None)
        if session is None or len(query.strip()) < 2:
            return
        hits = await asyncio.to_thread(session.book.search, query, None, 12)
        for rank, hit in enumerate(hits):
            mark = "" if hit.billable else " (heading)"
            yield Hit(
                1.0 - rank / 20,
                literal(f"{hit.code}{mark}  {hit.title}"),
                partial(self._choose, hit),
                help=f"{hit.system}: add to the open chart (or look it up)",
            )

    async def discover(self) -> Hits:
        """Offer the lookup itself when the palette opens empty."""
        yield DiscoveryHit("Look up a code…", self._open_lookup, help="Search every code set")

    def _choose(self, hit: CodeHit) -> None:
        from simulator.tui.screens.chart import ChartScreen

        screen = self.app.screen
        if isinstance(screen, ChartScreen):
            screen.add_hit(hit)
        else:
            self._open_lookup(hit.code)

    def _open_lookup(self, query: str = "") -> None:
        from simulator.tui.screens.lookup import LookupScreen

        session = getattr(self.app, "session", None)
        if session is not None:
            self.app.push_screen(LookupScreen(session.book, query))
