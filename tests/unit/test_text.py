"""Untrusted text is shown literally and wrapped sentences are rejoined for display."""

from __future__ import annotations

from simulator.tui.text import clean, literal, reflow


def test_markup_and_escapes_stay_literal() -> None:
    text = "[bold]x[/] [/ [link=x]y \x1b[31mred\x1b[0m"
    shown = literal(text)
    assert shown.plain == "[bold]x[/] [/ [link=x]y ␛[31mred␛[0m"
    assert not shown.spans
    assert "\x1b" not in clean(text)


def test_reflow_joins_continuations_only() -> None:
    text = "HPI: patient fell and\ninjured the ankle.\nEXAM: swelling\n1. Sprain\n- item"
    assert (
        reflow(text)
        == "HPI: patient fell and injured the ankle.\nEXAM: swelling\n1. Sprain\n- item"
    )


def test_reflow_drops_the_indent_of_a_continuation() -> None:
    assert reflow("running out   \n     of diuretic") == "running out of diuretic"
