"""Assessment mode in the app: the time box warns at 10, 5 and 1 minutes, survives a restart
with the clock still running, hands every chart in at zero, and never shows a score."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from textual.pilot import Pilot

from simulator import paths
from simulator.assess.handin import HANDED_IN
from simulator.assess.sealed import SealedAssessment, seal
from simulator.assess.sitting import Sitting, open_sitting
from simulator.codebook import Codebook
from simulator.config import Settings
from simulator.factory import make_app
from simulator.shift import FakeClock
from simulator.store import MemoryStore
from simulator.tui.app import CodeDeskApp
from simulator.tui.screens.chart import ChartScreen
from simulator.tui.timebox import HandedInScreen, TimeBox
from simulator.tui.widgets.shiftbar import ShiftBar
from tests.tui.helpers import until_ready

SAMPLE = paths.builtin_pack("assessment-sample")
SCORE_WORDS = re.compile(
    r"%|accuracy|correct|credit|score|grade|rationale|evidence|expected|acceptable alternate|"
    r"less specific|wrong code|wrong laterality|wrong 7th|not billable|POA wrong|sequencing|"
    r"\bmissing\b|\bextra\b|\bverdict|pass mark|\bpassed\b|\bfailed\b",
    re.IGNORECASE,
)
"""Words and signs that would give a score, a verdict or the key away."""


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory, book: Codebook) -> SealedAssessment:
    """The sample assessment, sealed with a cheap scrypt so the test runs fast."""
    folder = tmp_path_factory.mktemp("sealed")
    return seal(SAMPLE, folder / "sample.cdassess", "screener passphrase", book, scrypt_n=2**10)


def screen_text(app: CodeDeskApp) -> str:
    """Every character on the screen (notifications included), from a screenshot."""
    svg = app.export_screenshot()
    texts = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.DOTALL)
    return html.unescape(" ".join(texts)).replace("\xa0", " ")


async def assert_no_score(pilot: Pilot[None]) -> str:
    """Fail if the screen shows anything that reads as a score or a verdict; return the text.

    The chart's own documents are hidden for the check: clinical notes say "graded return",
    "no evidence of fracture" or "SpO2 94%", which are the chart, not a score.
    """
    app = pilot.app
    assert isinstance(app, CodeDeskApp)
    viewers = list(app.screen.query("#doc-viewer"))
    for viewer in viewers:
        viewer.display = False
    await pilot.pause()
    text = screen_text(app)
    for viewer in viewers:
        viewer.display = True
    await pilot.pause()
    found = SCORE_WORDS.findall(text)
    assert found == [], f"score words on {type(app.screen).__name__}: {found}\n{text}"
    return text


def assessment_settings(settings: Settings, sitting: Sitting, **more: object) -> Settings:
    """Settings as `codedesk assess take` builds them, with the idle lock off."""
    return settings.model_copy(
        update={
            "mode": "assessment",
            "time_limit_minutes": sitting.sealed.time_limit_minutes,
            "pack": sitting.pack_dir,
            "trainee": sitting.candidate,
            "idle_lock_minutes": 0,
            **more,
        }
    )


async def test_time_box_warns_restarts_and_hands_in_at_zero(
    settings: Settings, sealed: SealedAssessment
) -> None:
    store = MemoryStore()
    clock = FakeClock()
    sitting = open_sitting(sealed, "C-0042", None, settings.cache_dir, store)
    limit = sealed.time_limit_minutes * 60
    first = make_app(
        assessment_settings(settings, sitting), seed=sitting.seed, clock=clock, store=store
    )
    async with first.run_test(size=(130, 40), notifications=True) as pilot:
        await until_ready(pilot)
        await pilot.pause()
        timebox = first.timebox
        assert timebox is not None
        session = first.session
        assert session is not None and session.mode == "assessment" and not session.grading
        assert [c.chart.case_id for c in session.charts] == sorted(sitting.drawn)
        bar = first.screen.query_one(ShiftBar)
        assert bar.styles.display == "none"  # the shift bar (pace, accuracy) is hidden
        text = await assert_no_score(pilot)
        assert "time left 0:45:00" in text and "F2 hand in" in text
        # Work a chart as in practice: open, look at the lookup, add a code, submit.
        await pilot.press("n")
        await first.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(first.screen, ChartScreen)
        assert first.screen.query(TimeBox)
        await pilot.press(*"R69", "enter")
        await first.workers.wait_for_complete()
        await assert_no_score(pilot)
        submitted = first.screen.chart_id
        await pilot.press("ctrl+s")
        await first.workers.wait_for_complete()
        await pilot.pause()
        assert session.state(submitted).status.value == "done"
        assert session.state(submitted).grade is None
        await assert_no_score(pilot)  # no feedback: on to the next chart (auto-load) or the queue
        # 10 minutes left, then 5.
        clock.advance(limit - 10 * 60 + 1)
        timebox.tick()
        await pilot.pause()
        assert timebox.warned == [10]
        text = await assert_no_score(pilot)
        assert "10 minutes left" in text and "LOW TIME" in text
        clock.advance(5 * 60)
        timebox.tick()
        await pilot.pause()
        assert timebox.warned == [10, 5]
        await assert_no_score(pilot)
        session_id = session.session_id
    # The candidate quits; two minutes pass before CodeDesk is started again.
    clock.advance(120)
    again = make_app(
        assessment_settings(settings, sitting, resume=session_id),
        seed=sitting.seed,
        clock=clock,
        store=store,
    )
    async with again.run_test(size=(130, 40), notifications=True) as pilot:
        await until_ready(pilot)
        await pilot.pause()
        timebox = again.timebox
        session = again.session
        assert timebox is not None and session is not None
        assert session.session_id == session_id
        assert timebox.seconds_left() == pytest.approx(5 * 60 - 1 - 120)  # time away counted
        assert session.state(submitted).status.value == "done"
        text = await assert_no_score(pilot)
        assert "time left 0:02:59" in text and "Welcome back" in text
        timebox.tick()
        assert timebox.warned == []  # 10 and 5 were given before the restart
        # A chart left with a code on it, and the last minute.
        waiting = [c for c in session.charts if c.status.value == "new"]
        again.open_chart(waiting[0].chart.chart_id)
        await again.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press(*"R69", "enter")
        await again.workers.wait_for_complete()
        clock.advance(2 * 60)
        timebox.tick()
        await pilot.pause()
        assert timebox.warned == [1]
        await assert_no_score(pilot)
        clock.advance(60)
        timebox.tick()
        await pilot.pause()
        await pilot.pause()
        assert isinstance(again.screen, HandedInScreen)
        text = await assert_no_score(pilot)
        assert "Assessment handed in" in text and "The time is up" in text
        assert session.ended_at is not None
        assert session.state(waiting[0].chart.chart_id).status.value == "done"
        handed = [e for e in store.events(session_id) if e.kind == HANDED_IN]
        assert len(handed) == 1
        outcomes = handed[0].payload["charts"]
        assert handed[0].payload["reason"] == "time up"
        assert outcomes[submitted] == "submitted"
        assert outcomes[waiting[0].chart.chart_id] == "submitted at hand-in"
        assert sum(1 for o in outcomes.values() if o == "not done") == len(outcomes) - 2
        assert all(c.grade is None for c in session.charts)
        timebox.tick()  # nothing more happens after the hand-in
        assert [e.kind for e in store.events(session_id)].count(HANDED_IN) == 1


async def test_hand_in_early_asks_first_and_blocks_leaving_the_sitting(
    settings: Settings, sealed: SealedAssessment
) -> None:
    store = MemoryStore()
    sitting = open_sitting(sealed, "C-0043", None, settings.cache_dir, store)
    app = make_app(
        assessment_settings(settings, sitting), seed=sitting.seed, clock=FakeClock(), store=store
    )
    async with app.run_test(size=(130, 40), notifications=True) as pilot:
        await until_ready(pilot)
        await pilot.pause()
        assert app.timebox is not None
        assert not app.check_action("new_session", ())
        assert not app.check_action("history", ())
        await pilot.press("f2")
        await pilot.pause()
        assert "Hand in the assessment now?" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert not app.timebox.handed_in
        await pilot.press("e")  # the queue's "end shift" is the hand-in in an assessment
        await pilot.pause()
        assert "Hand in the assessment now?" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, HandedInScreen)
        text = await assert_no_score(pilot)
        assert "You handed the assessment in" in text
        assert app.session is not None and app.session.ended_at is not None


async def test_practice_mode_has_no_time_box(settings: Settings) -> None:
    app = make_app(settings, seed=3, clock=FakeClock(), store=MemoryStore())
    async with app.run_test(size=(120, 36)) as pilot:
        await until_ready(pilot)
        assert app.timebox is None
        assert not app.check_action("hand_in", ())
        assert not app.screen.query(TimeBox)


def test_public_pack_path_is_private(settings: Settings, sealed: SealedAssessment) -> None:
    sitting = open_sitting(sealed, "C-0044", 99, settings.cache_dir, MemoryStore())
    assert Path(sitting.pack_dir).stat().st_mode & 0o077 == 0
