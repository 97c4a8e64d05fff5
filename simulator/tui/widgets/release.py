"""Let go of the widgets of a closed screen, which Textual would keep or leave to the collector.

Opening and closing charts grew the objects the garbage collector tracks by ~9,000 a chart
(687,000 to 954,000 over 30 charts), and every full collection rescanned them all, in the
middle of key presses. Three holders kept closed charts' widgets alive:

- `DOMNode.watch(obj, name, callback)` appends (widget, callback) to a list on obj, and Textual
  drops removed widgets from that list only when obj's attribute next changes. Two such lists
  never change in CodeDesk: the app's `theme` (every TextArea watches it, so every closed
  chart's document viewer stayed, with its lines) and a Footer's `compact` (each FooterKey is
  bound to it, and the footer makes new keys whenever the bindings change: every return to the
  queue, every focus move in a chart). `drop_closed_watchers` does the clean-up Textual does on
  a change, without the change.
- `StylesCache.get_inner_outer` is an lru_cache(1024) on a method, so its keys hold up to
  1,024 widgets' style caches with the lines each last drew: ~250,000 dead objects after 40
  charts. It holds two colour blends per key, recomputed in microseconds: emptied here.

The rest of a closed screen is garbage in reference cycles (parent and child, widget and
styles), which only a full collection frees, traversing all it holds; most of that is drawn
lines and their caches. Emptying those caches as the screen closes frees what is not itself
in a cycle at once: two closed charts left 50,000 objects to collect instead of 70,000.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from textual._styles_cache import StylesCache
from textual.app import App
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Footer


def drop_closed_watchers(obj: Any) -> None:
    """Forget the watchers on obj that belong to widgets already removed (closing or closed)."""
    watchers: dict[str, list[tuple[Any, Any]]] | None = getattr(obj, "__watchers", None)
    if not watchers:
        return
    for entries in watchers.values():
        entries[:] = [(node, callback) for node, callback in entries if not node._closing]


def drop_render_caches(nodes: Iterable[DOMNode]) -> None:
    """Empty the rendering caches of widgets that will not be drawn again.

    Textual names them all `..._cache` (the styles cache of every widget; the line, row and
    cell caches of DataTable, OptionList and TextArea; sizes and styles remembered). The
    scrollbars are widgets too, outside the DOM, each with a line cached per row.
    """
    for node in nodes:
        scrollbars = getattr(node, "_get_virtual_dom", lambda: ())
        for widget in (node, *scrollbars()):
            for name, value in vars(widget).items():
                if "cache" in name and callable(getattr(value, "clear", None)):
                    value.clear()


def release_screen(app: App[Any], nodes: Iterable[DOMNode]) -> None:
    """Call when a screen has closed, with its widgets: drop what Textual still holds of them."""
    drop_closed_watchers(app)
    drop_render_caches(nodes)
    StylesCache.get_inner_outer.cache_clear()


class ReleasedOnClose:
    """Mixin for a screen that lets go of its widgets when it closes (release_screen).

    The widgets are noted when the screen is suspended, which precedes its removal: by the time
    it unmounts they are gone from the DOM. Put it first among the screen's bases.
    """

    _closing_widgets: tuple[DOMNode, ...] = ()

    def on_screen_suspend(self) -> None:
        """Note the widgets, to release them if the screen is closing."""
        screen = cast(Screen[Any], self)
        self._closing_widgets = tuple(screen.walk_children(with_self=True))

    def on_unmount(self) -> None:
        """Let go of the closed screen's widgets."""
        release_screen(cast(Screen[Any], self).app, self._closing_widgets)


class KeyFooter(Footer):
    """The key footer, rebuilt only when the keys it shows change.

    Textual's Footer makes all its keys anew whenever the screen's bindings may have changed:
    each time a screen is shown and each time the focus moves, though the keys shown are most
    often the same. Each rebuild composed and styled ~8 widgets (3-4 ms) and left the old ones
    (with their styles, a few hundred objects a key) to the garbage collector. This footer
    rebuilds only when what it would show differs; after a rebuild it drops the watchers of
    the keys removed (see above).
    """

    _shown: tuple[object, ...] | None = None

    def _keys(self) -> tuple[object, ...]:
        """Everything Footer.compose draws from: the keys shown, how, and the palette key."""
        app = self.app
        bindings = self.screen.active_bindings
        keys = tuple(
            (binding, enabled, tooltip, app.get_key_display(binding))
            for _node, binding, enabled, tooltip in bindings.values()
            if binding.show
        )
        palette = bindings.get(app.COMMAND_PALETTE_BINDING)
        return (
            keys,
            palette[1:] if palette is not None else None,
            self.show_command_palette,
            app.ENABLE_COMMAND_PALETTE,
            self.combine_groups,
            self._bindings_ready,
        )

    async def recompose(self) -> None:
        """Rebuild the keys if they changed, then drop the watchers of the keys removed."""
        if not self.is_attached:
            return
        shown = self._keys()
        if shown == self._shown:
            return
        self._shown = shown
        await super().recompose()
        drop_closed_watchers(self)
