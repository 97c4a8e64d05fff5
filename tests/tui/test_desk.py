"""The desk around the charts: start screen, shift end, patient search, help, palette, keys,
themes, and untrusted text shown literally on every screen."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.widgets import DataTable, Input, OptionList, Select, Static, TextArea

from simulator import paths
from simulator.config import Settings
from simulator.shift import FakeClock, Status
from simulator.tui import app as app_module
from simulator.tui.commands import ActionsProvider
from simulator.tui.screens import (
    chart,
    confirm,
    decide,
    feedback,
    help,
    inbox,
    loading,
    lock,
    lookup,
    patients,
    query,
    queue,
    reveal,
    start,
    summary,
    tabular,
)
from simulator.tui.screens.chart import ChartScreen
from simulator.tui.screens.feedback import FeedbackScreen
from simulator.tui.screens.help import HelpScreen
from simulator.tui.screens.inbox import InboxScreen
from simulator.tui.screens.patients import BrowseChartScreen, FindPatientScreen
from simulator.tui.screens.query import QueryScreen
from simulator.tui.screens.queue import QueueScreen
from simulator.tui.screens.start import StartScreen
from simulator.tui.screens.summary import SummaryScreen
from simulator.tui.text import markup_safe
from tests.tui.helpers import build_app, until_ready

MINI = Path(__file__).parent.parent / "data" / "packs" / "mini"
NASTY = "[bold]ankle[/bold] [/ [link=x]fall"
"""Text that Rich/Textual markup would swallow or choke on if it were ever parsed."""


def text_of(widget: Static) -> str:
    """The plain text a Static shows."""
    return str(widget.render())


def test_every_binding_has_an_id_a_description_and_a_tooltip() -> None:
    modules = [
        app_module,
        chart,
        confirm,
        decide,
        feedback,
        help,
        inbox,
        loading,
        lock,
        lookup,
        patients,
        query,
        queue,
        reveal,
        start,
        summary,
        tabular,
    ]
    seen: dict[str, str] = {}
    for module in modules:
        for name in dir(module):
            owner = getattr(module, name)
            if not isinstance(owner, type) or owner.__module__ != module.__name__:
                continue
            for binding in owner.__dict__.get("BINDINGS", []):
                assert isinstance(binding, Binding), f"{name}: {binding!r} is not a Binding"
                assert binding.id and binding.description and binding.tooltip, (name, binding)
                assert seen.setdefault(binding.id, name) == name, f"id {binding.id} used twice"
    assert {"queue.next", "chart.submit", "chart.reveal", "inbox.route_roi", "app.help"} <= set(
        seen
    )


async def test_start_screen_starts_a_shift_on_another_pack(settings: Settings) -> None:
    app = build_app(settings)
    async with app.run_test(size=(100, 34)) as pilot:
        await until_ready(pilot)
        first = app.session
        assert first is not None and first.mode == "practice"
        await pilot.press("ctrl+n")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StartScreen)
        assert str(screen.query_one("#start-pack", Select).value) == str(paths.builtin_pack())
        screen.query_one("#start-trainee", Input).value = ""
        await pilot.press("ctrl+s")
        assert "type your name" in text_of(screen.query_one("#start-message", Static))
        screen.query_one("#start-trainee", Input).value = "t-042"
        screen.query_one("#start-mode", Select).value = "shift"
        screen.query_one("#start-path", Input).value = str(MINI)
        screen.query_one("#start-hours", Input).value = "25"
        await pilot.press("ctrl+s")
        assert "between 0 and 24" in text_of(screen.query_one("#start-message", Static))
        screen.query_one("#start-hours", Input).value = "4.5"
        await pilot.press("ctrl+s")
        await until_ready(pilot)
        await pilot.pause()
        session = app.session
        assert session is not None and session is not first
        assert (session.trainee, session.mode, session.shift_hours) == ("t-042", "shift", 4.5)
        assert session.pack.pack.id == "mini" and len(session.charts) == 3
        assert isinstance(app.screen, QueueScreen) and len(app.screen_stack) == 2
        events = session.store.events(session.session_id)
        assert events[0].payload["shift_hours"] == 4.5


async def test_a_shift_auto_loads_and_ends_with_a_summary(settings: Settings) -> None:
    shift = settings.model_copy(update={"pack": MINI, "mode": "shift", "shift_hours": 1.0})
    app = build_app(shift)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        session = app.session
        assert session is not None
        await pilot.press("n")
        await pilot.pause()
        first = app.screen
        assert isinstance(first, ChartScreen)
        pended = first.state
        await pilot.press("f7", "enter")  # pend: missing documentation
        await pilot.pause()
        second = app.screen
        assert isinstance(second, ChartScreen) and second.state is not pended
        assert not app.query(FeedbackScreen)
        assert pended.status is Status.PENDED
        await pilot.press("escape")
        await pilot.pause()
        clock = app.clock
        assert isinstance(clock, FakeClock)
        clock.advance(3600)
        app.tick()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen) and session.ended_at is not None
        report = text_of(app.screen.query_one("#summary-text", Static))
        assert "Shift summary: 1 chart(s)" in report and "decisions" in report
        assert "inbox: 0 of 1 message(s) answered" in report
        assert "not submitted: 2 chart(s)" in report
        kinds = [e.kind for e in session.store.events(session.session_id)]
        assert kinds[-1] == "session_ended"


async def test_quitting_with_every_chart_done_ends_the_session(settings: Settings) -> None:
    app = build_app(settings.model_copy(update={"pack": MINI}))
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        session = app.session
        assert session is not None
        for state in session.charts:
            session.open_chart(state.chart.chart_id)
            session.flag(state.chart.chart_id, "wrong_patient", None)
        await pilot.press("q")
        await pilot.pause()
    assert session.ended_at is not None


async def test_assessment_mode_shows_no_grade(settings: Settings) -> None:
    app = build_app(settings.model_copy(update={"pack": MINI, "mode": "assessment"}))
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        await pilot.press("n")
        await pilot.pause()
        first = app.screen
        assert isinstance(first, ChartScreen)
        submitted = first.state
        await pilot.press(*"I13.0:Y", "enter", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ChartScreen) and app.screen.state is not submitted
        assert submitted.status is Status.DONE and submitted.grade is None
        assert "accuracy" not in text_of(app.screen.query_one("ShiftBar", Static))


async def test_patient_search_logs_an_unassigned_chart(settings: Settings) -> None:
    app = build_app(settings.model_copy(update={"pack": MINI}))
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        session = app.session
        assert session is not None
        mine = session.charts[0].chart
        stranger = next(e for e in session.directory() if not e.assigned).chart
        await pilot.press("f", *stranger.patient.last_name)
        await app.workers.wait_for_complete()
        await pilot.pause()
        search = app.screen
        assert isinstance(search, FindPatientScreen)
        table = search.query_one(DataTable)
        row = next(i for i, e in enumerate(search.entries) if e.chart is stranger)
        assert "NOT ASSIGNED" in str(table.get_row_at(row)[-1])
        await pilot.press("enter")
        table.move_cursor(row=row)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("escape")  # the warning: go back, nothing opened
        await pilot.pause()
        assert app.screen is search and not session.events
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")  # open anyway (logged)
        await pilot.pause()
        assert isinstance(app.screen, BrowseChartScreen)
        assert stranger.patient.ssn not in app.screen.query_one(TextArea).text
        assert [e.kind for e in session.events] == ["unassigned_chart_opened"]
        assert "unassigned_chart_opened" in [
            e.kind for e in session.store.events(session.session_id)
        ]
        await pilot.press("escape")
        await pilot.pause()
        search.query_one(Input).value = mine.patient.mrn
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")  # from the entry to the results
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChartScreen) and app.screen.state.chart is mine
        assert len(session.events) == 1


async def test_f1_lists_the_keys_of_the_screen(settings: Settings) -> None:
    app = build_app(settings.model_copy(update={"pack": MINI}))
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        await pilot.press("f1")
        await pilot.pause()
        helper = app.screen
        assert isinstance(helper, HelpScreen)
        rows = {action: what for _key, action, what in helper.rows}
        assert rows["Next chart"] == "Open the highest-priority chart not done"
        assert "Inbox" in rows and "Find patient" in rows and "End shift" in rows
        assert "Submit" not in rows
        await pilot.press("escape", "n")
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        rows = {action: what for _key, action, what in app.screen.rows}  # type: ignore[attr-defined]
        assert {"Submit", "Reveal", "Query", "Pend", "Flag", "Decide"} <= set(rows)
        assert "Next chart" not in rows


async def test_the_palette_offers_every_key_of_the_screen(settings: Settings) -> None:
    app = build_app(settings.model_copy(update={"pack": MINI}))
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        queue_screen = app.screen
        provider = ActionsProvider(queue_screen)
        titles = [str(hit.prompt) async for hit in provider.discover()]
        for action in ("Next chart", "Sort", "Filter", "Inbox", "Find patient", "New session"):
            assert any(t.startswith(action + " (") for t in titles), (action, titles)
        hits = [hit async for hit in provider.search("inbox")]
        assert hits
        await hits[0].command()  # type: ignore[misc]
        await pilot.pause()
        assert isinstance(app.screen, InboxScreen)


async def test_user_keymap_and_theme_toggle(settings: Settings) -> None:
    keyed = settings.model_copy(update={"pack": MINI, "keymap": {"queue.next": "j"}})
    app = build_app(keyed)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_ready(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        await pilot.press("j")
        await pilot.pause()
        assert isinstance(app.screen, ChartScreen)
        assert app.theme == "codedesk-dark"
        await pilot.press("f9")
        assert app.theme == "codedesk-light"
        await pilot.press("f9")
        assert app.theme == "codedesk-high-contrast"


@pytest.fixture
def nasty_pack(tmp_path: Path) -> Path:
    """The mini pack with markup-like text in a title, a document and an inbox message."""
    pack = tmp_path / "nasty"
    shutil.copytree(MINI, pack)
    case = pack / "cases" / "ed-ankle-sprain.yaml"
    text = case.read_text()
    text = text.replace(
        "title: ED visit, ankle injury after a fall", f'title: "ED visit {NASTY}"'
    ).replace(
        "CHIEF COMPLAINT: {{ side }} ankle pain after a fall.",
        f"CHIEF COMPLAINT: {{{{ side }}}} ankle pain after a {NASTY}.",
    )
    case.write_text(text)
    message = pack / "inbox" / "roi-email-request.yaml"
    message.write_text(
        message.read_text().replace("Could you email us", f"Could you email us {NASTY}")
    )
    return pack


async def test_untrusted_text_is_shown_literally_everywhere(
    settings: Settings, nasty_pack: Path
) -> None:
    app = build_app(settings.model_copy(update={"pack": nasty_pack}))
    async with app.run_test(size=(140, 44)) as pilot:
        await until_ready(pilot)
        session = app.session
        assert session is not None
        state = next(c for c in session.charts if c.chart.case_id == "ed-ankle-sprain")
        # Packs cannot carry escape sequences (the validator refuses them); a chart that does
        # anyway is still shown safely.
        first = state.chart.documents[0]
        escaped = replace(first, text=first.text + "\n\x1b[31mRED\x1b[0m \x9b2J")
        state.chart = replace(state.chart, documents=(escaped, *state.chart.documents[1:]))

        await pilot.press("/", *"[/", "enter")
        await pilot.pause()
        assert "filter: [/" in text_of(app.screen.query_one("#queue-status", Static))
        await pilot.press("escape")

        app.open_chart(state.chart.chart_id)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ChartScreen)
        assert NASTY in text_of(screen.query_one("#chart-header", Static))
        viewer = screen.query_one("#doc-viewer", TextArea).text
        assert NASTY in viewer and "␛[31mRED␛[0m" in viewer and "\x1b" not in viewer
        await pilot.press("ctrl+f", *"[link=x]")
        await pilot.pause()
        assert text_of(screen.query_one("#find-status", Static)).startswith("match 1 of")
        await pilot.press("escape")

        await pilot.press("f6")
        await pilot.pause()
        composer = app.screen
        assert isinstance(composer, QueryScreen)
        cited = composer.query_one(query.IndicatorList)
        prompts = [str(cited.get_option_at_index(i).prompt) for i in range(cited.option_count)]
        assert any(NASTY in p for p in prompts)
        assert NASTY in text_of(composer.query_one("#query-title", Static))
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("f8", "enter")
        await pilot.pause()
        documents = app.screen.query_one("#flag-documents", OptionList)
        assert "ED provider note" in str(documents.get_option_at_index(0).prompt)
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("ctrl+d", *"S93.401A", "enter", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        assert NASTY in text_of(app.screen.query_one("#feedback-title", Static))
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, InboxScreen)
        assert NASTY in text_of(app.screen.query_one("#inbox-message", Static))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)


def test_markup_safe_survives_the_markup_parser() -> None:
    from textual.content import Content

    for text in (NASTY, "[/", "a\\[b]", "[link=x]y[/link]"):
        plain = Content.from_markup(markup_safe(text)).plain
        assert plain.replace("/", "") == text.replace("\\", "").replace("/", "")
