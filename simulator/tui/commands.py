"""Command-palette providers: look a code up, or run any action of the screen, with Ctrl+P."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from simulator.tui.text import literal, markup_safe

if TYPE_CHECKING:
    from simulator.codebook.search import Hit as CodeHit


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
            self.app.push_screen(LookupScreen(session.book, query, session=session))


class ActionsProvider(Provider):
    """Every key of the screen the palette was opened from, as a command (and a few more)."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """(title, help, callback) for each action reachable from the screen."""
        screen = self.screen
        found: list[tuple[str, str, Callable[[], object]]] = []
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            node, binding = active.node, active.binding
            if node is not screen and node is not self.app:
                continue
            if binding.action in seen or binding.action == "command_palette":
                continue
            seen.add(binding.action)
            key = self.app.get_key_display(binding)
            found.append(
                (
                    f"{binding.description} ({key})",
                    active.tooltip or binding.tooltip,
                    partial(self.app.run_action, binding.action, node),
                )
            )
        return found

    async def discover(self) -> Hits:
        """List the screen's actions when the palette opens empty."""
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(literal(title), callback, text=title, help=markup_safe(help_text))

    async def search(self, query: str) -> Hits:
        """Match the screen's actions against what was typed."""
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = max(matcher.match(title), matcher.match(help_text) * 0.8)
            if score > 0:
                yield Hit(score, literal(title), callback, text=title, help=markup_safe(help_text))
