"""Give a new screen its breakpoint classes before its widgets are styled.

Textual adds the breakpoint classes (-narrow/-wide, -short/-tall: CodeDeskApp's
HORIZONTAL_BREAKPOINTS and VERTICAL_BREAKPOINTS) when the screen gets its first Resize, which
comes after its first frame. So a new chart was styled and drawn without them (the panes at
their default widths), then restyled, laid out and drawn again with them. Set before compose,
the first frame is already right and the Resize finds nothing to change.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen


def _matching(dimension: int, breakpoints: list[tuple[int, str]]) -> set[str]:
    """The class of the highest breakpoint at or below dimension (as Textual picks it)."""
    for breakpoint, name in sorted(breakpoints, reverse=True):
        if dimension >= breakpoint:
            return {name}
    return set()


def preset_breakpoints(screen: Screen[Any], update: bool = False) -> None:
    """Set the screen's breakpoint classes for the app's current size (restyling its widgets
    only if update is true and a class changed)."""
    app = screen.app
    horizontal = (
        app.HORIZONTAL_BREAKPOINTS
        if screen.HORIZONTAL_BREAKPOINTS is None
        else screen.HORIZONTAL_BREAKPOINTS
    ) or []
    vertical = (
        app.VERTICAL_BREAKPOINTS
        if screen.VERTICAL_BREAKPOINTS is None
        else screen.VERTICAL_BREAKPOINTS
    ) or []
    if not horizontal and not vertical:
        return
    width, height = app.size
    wanted = _matching(width, horizontal) | _matching(height, vertical)
    classes = {name: name in wanted for _, name in horizontal + vertical}
    screen.update_classes(classes, update=update)
