"""A whole practice shift driven with keys: code, pend, query, flag, inbox, reveal, idle lock.

The clock is a FakeClock: the physician's answer and the idle lock come when the test moves
the clock and the app's one-second tick runs (called directly, so nothing waits).
"""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList, Static, TextArea

from simulator.config import Settings
from simulator.shift import FakeClock, Status
from simulator.tui.app import CodeDeskApp
from simulator.tui.screens.chart import ChartScreen
from simulator.tui.screens.decide import DecideScreen, FlagScreen, PendScreen
from simulator.tui.screens.feedback import FeedbackScreen
from simulator.tui.screens.inbox import InboxScreen
from simulator.tui.screens.lock import LockScreen
from simulator.tui.screens.lookup import LookupScreen
from simulator.tui.screens.query import IndicatorList, QueryScreen
from simulator.tui.screens.queue import QueueScreen
from simulator.tui.screens.reveal import RevealScreen
from tests.tui.helpers import build_app, until_ready


def text_of(widget: Static) -> str:
    """The plain text a Static shows."""
    return str(widget.render())


def chart_id(app: CodeDeskApp, case_id: str) -> str:
    """The chart of a case in the app's queue."""
    assert app.session is not None
    return next(c.chart.chart_id for c in app.session.charts if c.chart.case_id == case_id)


async def highlight_row(pilot: Pilot[None], chart: str) -> None:
    """Move the queue's cursor to a chart with the arrow keys."""
    table = pilot.app.screen.query_one(DataTable)
    target = table.get_row_index(chart)
    while table.cursor_row != target:
        await pilot.press("down" if table.cursor_row < target else "up")


async def open_from_queue(pilot: Pilot[None], chart: str) -> ChartScreen:
    """Highlight a chart in the queue and open it with Enter."""
    assert isinstance(pilot.app.screen, QueueScreen)
    await highlight_row(pilot, chart)
    await pilot.press("enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ChartScreen) and screen.chart_id == chart
    return screen


async def choose(pilot: Pilot[None], option_list: OptionList, option_id: str) -> None:
    """Highlight an option by id with the arrow keys and press Enter."""
    target = option_list.get_option_index(option_id)
    option_list.focus()
    while option_list.highlighted != target:
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()


async def test_a_whole_practice_shift(settings: Settings) -> None:
    app = build_app(settings)
    clock = app.clock
    assert isinstance(clock, FakeClock)
    async with app.run_test(size=(140, 44)) as pilot:
        await until_ready(pilot)
        session = app.session
        assert session is not None and isinstance(app.screen, QueueScreen)
        queue = app.screen

        # -- sort the queue, open a chart, find a word ------------------------------------
        while queue.sort_column != "Type":
            await pilot.press("s")
        clinic = chart_id(app, "clinic-diabetes-followup")
        chart = await open_from_queue(pilot, clinic)
        await pilot.press("ctrl+f", *"glargine")
        await pilot.pause()
        assert text_of(chart.query_one("#find-status", Static)).startswith("match 1 of")
        assert chart.query_one("#doc-viewer", TextArea).selected_text.lower() == "glargine"
        await pilot.press("escape")

        # -- code through the lookup, reorder, submit -------------------------------------
        for query in ("long term insulin", "t2dm with hyperglycemia"):
            await pilot.press("ctrl+l")
            await pilot.pause()
            assert isinstance(app.screen, LookupScreen)
            await pilot.press(*query)
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
        state = session.state(clinic)
        assert [line.code for line in state.diagnoses] == ["Z79.4", "E11.65"]
        await pilot.press("tab")  # from the diagnosis entry to its list
        chart.query_one("#dx-table", DataTable).move_cursor(row=1)
        await pilot.press("shift+up")
        assert [line.code for line in state.diagnoses] == ["E11.65", "Z79.4"]
        await pilot.press("ctrl+d", *"I10", "enter", *"E78.5", "enter", *"Z79.84", "enter")
        await pilot.press("ctrl+r", *"99214", "enter")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        assert "Code-over-code accuracy 100%" in text_of(app.screen.query_one("#feedback-summary"))

        # -- the next chart loads by itself ----------------------------------------------
        following = session.next_chart()
        assert following is not None
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ChartScreen) and app.screen.state is following
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)

        # -- pend a chart with a reason --------------------------------------------------
        pend = chart_id(app, "pend-ops-back-lesion-excision-awaiting-pathology")
        await open_from_queue(pilot, pend)
        await pilot.press("ctrl+k")
        await pilot.pause()
        assert isinstance(app.screen, DecideScreen)
        await choose(pilot, app.screen.query_one(OptionList), "pend")
        assert isinstance(app.screen, PendScreen)
        await choose(pilot, app.screen.query_one(OptionList), "awaiting pathology")
        assert isinstance(app.screen, FeedbackScreen)
        assert "Decision: pend (right)" in text_of(app.screen.query_one("#feedback-summary"))
        await pilot.press("escape")
        await pilot.pause()
        assert session.state(pend).status_label == "pended: awaiting pathology"
        assert "pended: awaiting pathology" in [
            str(cell) for cell in queue.query_one(DataTable).get_row(pend)
        ]

        # -- write a query, receive the answer ---------------------------------------------
        sepsis = chart_id(app, "q-ip-pyelonephritis-pressors-sepsis-query")
        await open_from_queue(pilot, sepsis)
        await pilot.press("f6")
        await pilot.pause()
        composer = app.screen
        assert isinstance(composer, QueryScreen)
        cited = [i for i, (_d, line) in enumerate(composer.lines) if "MAP" in line][:2]
        assert cited
        indicators = composer.query_one(IndicatorList)
        for index in cited:
            while indicators.highlighted != index:
                await pilot.press("down")
            await pilot.press("space")
        await pilot.press("tab", *"Please document sepsis for the DRG.")
        advice = text_of(composer.query_one("#query-advice"))
        assert "leading wording 'Please document'" in advice and "'DRG'" in advice
        composer.query_one("#query-question", TextArea).load_text(
            "Based on these indicators, what is the diagnosis?"
        )
        await pilot.press("tab", *"Sepsis due to acute pyelonephritis with septic shock")
        await pilot.pause()
        advice = text_of(composer.query_one("#query-advice"))
        assert "is the only diagnosis offered" in advice and "add the option(s)" in advice
        await pilot.press("enter", *"Acute pyelonephritis with hypotension, without sepsis")
        await pilot.press("ctrl+o")
        await pilot.pause()
        advice = text_of(composer.query_one("#query-advice"))
        assert "✓ no problem found" in advice, advice
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        grade = app.screen.grade
        assert grade.query is not None and grade.query.compliant and grade.decision_correct
        await pilot.press("escape")
        await pilot.pause()
        assert session.state(sepsis).status is Status.QUERY_SENT
        clock.advance(31)
        app.tick()
        await pilot.pause()
        answered = session.state(sepsis)
        assert answered.status is Status.ANSWERED
        assert answered.chart.documents[-1].type == "Query response (addendum)"
        assert "answered" in [str(cell) for cell in queue.query_one(DataTable).get_row(sepsis)]
        screen = await open_from_queue(pilot, sepsis)
        assert "Query answered: Sepsis due to acute pyelonephritis with septic shock" in text_of(
            screen.query_one("#chart-banner")
        )
        for line in answered.chart.diagnoses:
            await pilot.press(*f"{line.code}:{line.poa or ''}".rstrip(":"), "enter")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FeedbackScreen)
        assert app.screen.grade.decision_submitted == "query"
        assert any("physician's answer" in note for note in app.screen.grade.notes)
        await pilot.press("escape")
        await pilot.pause()

        # -- flag a misfiled document ------------------------------------------------------
        misfiled = chart_id(app, "priv-misfiled-same-name-consult")
        await open_from_queue(pilot, misfiled)
        await pilot.press("ctrl+k")
        await pilot.pause()
        await choose(pilot, app.screen.query_one(OptionList), "flag")
        flag_screen = app.screen
        assert isinstance(flag_screen, FlagScreen)
        await choose(pilot, flag_screen.query_one("#flag-kinds", OptionList), "misfiled_document")
        await choose(pilot, flag_screen.query_one("#flag-documents", OptionList), "2")
        assert isinstance(app.screen, FeedbackScreen)
        assert app.screen.grade.decision_correct
        await pilot.press("escape")
        await pilot.pause()

        # -- answer an inbox message -------------------------------------------------------
        await pilot.press("i")
        await pilot.pause()
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        await choose(pilot, inbox.query_one(OptionList), "priv-roi-doctors-office-email")
        await pilot.press("o")
        await pilot.pause()
        assert text_of(inbox.query_one("#inbox-result")).startswith("✓ Right: route it")
        assert session.inbox_answers == {"priv-roi-doctors-office-email": "route_roi"}
        await pilot.press("escape")
        await pilot.pause()

        # -- reveal a masked identifier with a reason --------------------------------------
        other = session.next_chart()
        assert other is not None
        chart = await open_from_queue(pilot, other.chart.chart_id)
        ssn = other.chart.patient.ssn
        assert ssn not in text_of(chart.query_one("#chart-identifiers"))
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, RevealScreen)
        await pilot.press("enter")  # SSN, the first identifier
        await pilot.press("enter")
        assert "a reason is required" in text_of(app.screen.query_one("#reveal-message"))
        await pilot.press(*"payer asks to verify the subscriber", "enter")
        await pilot.pause()
        assert app.screen is chart
        assert ssn in text_of(chart.query_one("#chart-identifiers"))
        assert other.events[-1].reason == "payer asks to verify the subscriber"

        # -- the idle lock hides the chart until the trainee's ID is typed -----------------
        clock.advance(9 * 60)
        app.tick()
        assert not app.locked
        clock.advance(61)
        app.tick()
        await pilot.pause()
        lock = app.screen
        assert isinstance(lock, LockScreen) and app.locked
        assert not lock.query(ChartScreen) and not app.use_command_palette
        clock.advance(300)
        await pilot.press(*"nobody", "enter")
        assert app.screen is lock
        assert "not the trainee ID" in text_of(lock.query_one("#lock-message"))
        await pilot.press(*"trainee", "enter")
        await pilot.pause()
        assert app.screen is chart and not app.locked
        assert other.locked_seconds >= 300
        kinds = [e.kind for e in session.store.events(session.session_id)]
        for kind in (
            "chart_pended",
            "query_sent",
            "query_answered",
            "identifier_revealed",
            "inbox_answered",
            "screen_locked",
            "screen_unlocked",
        ):
            assert kind in kinds
        submitted = [
            e for e in session.store.events(session.session_id) if e.kind == "chart_submitted"
        ]
        assert {"kind": "misfiled_document", "document": 2} in [
            f for e in submitted for f in e.payload["flags"]
        ]
