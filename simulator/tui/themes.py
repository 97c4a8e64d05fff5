"""CodeDesk's colour themes; widgets use theme variables, never fixed colours."""

from __future__ import annotations

from textual.theme import Theme

DARK = Theme(
    name="codedesk-dark",
    primary="#5FA8D3",
    secondary="#8E9AAF",
    accent="#F2C14E",
    warning="#F2A541",
    error="#E5646B",
    success="#6CC38F",
    background="#14181F",
    surface="#1C222C",
    panel="#252D3A",
    foreground="#E6E9EF",
    dark=True,
)
LIGHT = Theme(
    name="codedesk-light",
    primary="#1F6FA8",
    secondary="#5A6478",
    accent="#9A6B00",
    warning="#A35D00",
    error="#B3261E",
    success="#1E7A46",
    background="#F7F8FA",
    surface="#FFFFFF",
    panel="#E8ECF2",
    foreground="#1B1F27",
    dark=False,
)
HIGH_CONTRAST = Theme(
    name="codedesk-high-contrast",
    primary="#FFFF00",
    secondary="#FFFFFF",
    accent="#00FFFF",
    warning="#FFFF00",
    error="#FF5555",
    success="#55FF55",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    foreground="#FFFFFF",
    dark=True,
)
THEMES = (DARK, LIGHT, HIGH_CONTRAST)
