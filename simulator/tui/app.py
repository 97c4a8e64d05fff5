"""The CodeDesk Textual app: loads the codebook and pack in a worker, then runs the queue.

The app owns what spans screens: the start of a session, the one-second tick (physician
answers arriving, the idle lock, the end of the shift), help, the theme and the keymap.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from simulator.tui.screens.chart import ChartScreen
    from simulator.tui.screens.start import StartChoice
    from simulator.tui.timebox import AssessmentClock  # assessment hook

from simulator.codebook.index import Codebook
from simulator.config import Settings
from simulator.packs.checkcache import open_checked_pack
from simulator.packs.errors import PackError
from simulator.packs.loaded import LoadedPack
from simulator.shift.clock import Clock
from simulator.shift.session import Session, SessionError
from simulator.shift.unfinished import RESUMABLE_MODES, Unfinished, find_unfinished
from simulator.store.base import DeferredStore, Store
from simulator.tui.commands import ActionsProvider, CodeLookupProvider
from simulator.tui.screens.loading import LoadingScreen
from simulator.tui.screens.queue import QueueScreen
from simulator.tui.themes import THEMES
from simulator.tui.widgets import caches, frames, strips
from simulator.tui.widgets.longlived import POLL_SECONDS, IdleCollector


class CodeDeskApp(App[None]):
    """A medical coder's working day, in the terminal."""

    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ActionsProvider, CodeLookupProvider}
    TITLE = "CodeDesk"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", tooltip="Leave CodeDesk", show=False),
        Binding("f1", "help", "Help", id="app.help", tooltip="The keys of this screen"),
        Binding(
            "ctrl+g",
            "history",
            "History",
            id="app.history",
            tooltip="Your sessions over time: accuracy, productivity, weakest topics",
            show=False,
        ),
        Binding(
            "f9",
            "toggle_theme",
            "Theme",
            id="app.theme",
            tooltip="Switch theme: dark, light, high contrast",
            show=False,
        ),
        Binding(  # assessment hook (simulator/tui/timebox.py): only active in assessment mode
            "f2",
            "hand_in",
            "Hand in",
            id="app.hand_in",
            tooltip="Assessment: hand every chart in now (asks first)",
            show=False,
        ),
    ]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    """Screens narrower than 110 columns get the class -narrow (app.tcss tightens panes)."""
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    """Screens shorter than 32 rows get the class -short (entries lose their borders)."""
    TICK_SECONDS = 1.0
    """How often the app looks at the clock: answers due, the idle lock, the end of the shift."""

    @dataclass
    class Progress(Message):
        """A step of the start-up work, for the loading screen."""

        step: str
        fraction: float

    class StoreAttached(Message):
        """The session store is open; user actions are saved as they happen."""

    @dataclass
    class ResumeOffer(Message):
        """The store holds a session this trainee left unfinished on this pack."""

        deferred: DeferredStore
        """Holds the new session's events until the trainee answers."""
        real: Store
        unfinished: Unfinished

    @dataclass
    class Ready(Message):
        """The session is ready to work."""

        session: Session

    def __init__(
        self,
        settings: Settings,
        *,
        seed: int | None,
        clock: Clock,
        store: Store | None,
    ) -> None:
        """Keep what the composition root built; nothing slow happens here."""
        strips.install()  # drawn lines free themselves (widgets/strips.py)
        caches.install()  # cleared caches free their entries (widgets/caches.py)
        frames.install()  # frames drawn when due, not on a grid (widgets/frames.py)
        super().__init__()
        self.settings = settings
        self.seed = seed if seed is not None else random.SystemRandom().randrange(1, 2**31)
        self.clock = clock
        self.store = store
        self.session: Session | None = None
        self._waiting_open: str | None = None
        self._sql_store: Store | None = None
        self.last_input: datetime = clock.now()
        """When the trainee last pressed a key or used the mouse (the injected clock's time)."""
        self.locked = False
        """True while the idle lock hides the screen."""
        self.collector = IdleCollector()
        """Runs the garbage collector in pauses between key presses (widgets/longlived.py)."""
        for theme in THEMES:
            self.register_theme(theme)
        self.theme = (
            settings.theme if settings.theme in {t.name for t in THEMES} else "codedesk-dark"
        )

    def on_mount(self) -> None:
        """Apply the keymap, show the loading screen and start the start-up work."""
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        self.set_interval(self.TICK_SECONDS, self.tick)
        self.set_interval(POLL_SECONDS, self.collector.poll)
        session = self._quick_start()
        if session is not None:
            self.show_queue(session)
            return
        self.push_screen(LoadingScreen())
        self.prepare_session()

    def _quick_start(self) -> Session | None:
        """The session, made at once when nothing slow is left to do; else None.

        Nothing is slow when the codebook index is built and this exact pack was checked
        before (its compiled copy is in the cache): then the session is ready in ~30 ms and a
        loading screen would only flash. Building the index (first run), checking a new or
        changed pack, resuming and any failure go the long way: the loading screen, with its
        progress and its clear messages.
        """
        from simulator.codebook.build import index_path
        from simulator.packs.checkcache import compiled_pack

        settings = self.settings
        try:
            index = index_path(settings.cache_dir, settings.data_dir)
            if settings.resume or not index.exists():
                return None
            loaded = compiled_pack(settings.pack, index, settings.cache_dir)
            if loaded is None:
                return None
            return self._new_session(loaded, Codebook(index))
        except Exception:  # the loading screen says what is wrong, in the long way
            return None

    @work(thread=True, exclusive=True, exit_on_error=False, group="startup")
    def prepare_session(self) -> Session:
        """Open (or build) the codebook, load and check the pack, open the store."""

        def progress(step: str, fraction: float) -> None:
            self.post_message(self.Progress(step, fraction))

        book = Codebook.open_or_build(self.settings.cache_dir, progress, self.settings.data_dir)
        progress("loading the pack", 1.0)
        loaded = open_checked_pack(self.settings.pack, book, self.settings.cache_dir)
        if self.settings.resume:
            return self._resume(loaded, book)
        session = self._new_session(loaded, book)
        self.post_message(self.Ready(session))
        return session

    def _new_session(self, loaded: LoadedPack, book: Codebook) -> Session:
        """A new session on the pack (its events held until the store is attached)."""
        store: Store = self.store or self._sql_store or DeferredStore()
        return Session(
            loaded,
            book,
            self.clock,
            store,
            seed=self.seed,
            trainee=self.settings.trainee,
            mode=self.settings.mode,
            shift_hours=self.settings.shift_hours,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="store")
    def attach_store(self, deferred: DeferredStore) -> None:
        """Open the SQL store after the queue is on screen and hand it the held events.

        If the trainee left a session unfinished on this pack, ask first (ResumeOffer): the
        new session is only written once they choose to start afresh.
        """
        from simulator.store.sql import SqlStore

        real = SqlStore(self.settings.effective_database_url)
        self._sql_store = real
        session = self.session
        if session is not None and session.mode in RESUMABLE_MODES:
            found = find_unfinished(
                real, session.trainee, session.pack.pack.id, exclude=session.session_id
            )
            if found is not None:
                self.post_message(self.ResumeOffer(deferred, real, found))
                return
        deferred.attach(real)
        self.post_message(self.StoreAttached())

    @work(thread=True, exclusive=True, exit_on_error=False, group="store")
    def attach_held(self, deferred: DeferredStore, real: Store) -> None:
        """Start afresh: write the new session's held events to the store."""
        deferred.attach(real)
        self.post_message(self.StoreAttached())

    @on(ResumeOffer)
    def handle_resume_offer(self, message: ResumeOffer) -> None:
        from simulator.tui.screens.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self._waiting_open = None
                self.resume_unfinished(
                    message.deferred, message.real, message.unfinished.session_id
                )
            else:
                self.attach_held(message.deferred, message.real)

        self.push_screen(
            ConfirmScreen(
                "Resume your unfinished session?",
                message.unfinished.describe(),
                yes="resume it",
                no="start a new session",
            ),
            answered,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="store")
    def resume_unfinished(self, deferred: DeferredStore, store: Store, session_id: str) -> None:
        """Rebuild the unfinished session from the store and put its queue on screen.

        If it cannot be rebuilt, say why and carry on with the new session instead.
        """
        current = self.session
        assert current is not None
        try:
            session = Session.resume(current.pack, current.book, self.clock, store, session_id)
        except SessionError as error:
            self.call_from_thread(
                self.notify,
                f"Session {session_id} could not be resumed: {error}. A new session has started.",
                title="Not resumed",
                severity="error",
                markup=False,
            )
            deferred.attach(store)
            self.post_message(self.StoreAttached())
            return
        self.post_message(self.Ready(session))

    def _resume(self, loaded: LoadedPack, book: Codebook) -> Session:
        """Rebuild the session named in settings from the store (in the start-up worker)."""
        store = self.store
        if store is None:
            from simulator.store.sql import SqlStore

            store = SqlStore(self.settings.effective_database_url)
        session_id = self.settings.resume or "latest"
        if session_id == "latest":
            found = store.latest_session(self.settings.trainee, loaded.pack.id)
            if found is None:
                raise SessionError(
                    f"no stored session of trainee {self.settings.trainee!r} on pack "
                    f"{loaded.pack.id!r} to resume"
                )
            session_id = found
        session = Session.resume(loaded, book, self.clock, store, session_id)
        self.post_message(self.Ready(session))
        return session

    @on(Progress)
    def handle_progress(self, message: Progress) -> None:
        screen = self.screen
        if isinstance(screen, LoadingScreen):
            screen.show_step(message.step, message.fraction)

    @on(Ready)
    def handle_ready(self, message: Ready) -> None:
        self.show_queue(message.session)

    def show_queue(self, session: Session) -> None:
        """Put the session's queue on screen, in place of the screen shown (the loading screen,
        or the queue of the session it replaces); on a quick start, the first screen."""
        self.session = session
        session.on_store_failure = self.store_failed
        if len(self.screen_stack) > 1:
            self.switch_screen(QueueScreen(session))
        else:
            self.push_screen(QueueScreen(session))
        store = session.store
        if isinstance(store, DeferredStore):
            self.call_after_refresh(self.attach_store, store)
        elif session.current is not None:  # resumed with a chart open: open it again
            self.call_after_refresh(self.open_chart, session.current.chart.chart_id)
        self.start_timebox(session)  # assessment hook (simulator/tui/timebox.py)

    @on(Worker.StateChanged)
    def handle_worker_state(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if event.worker.group == "store":
            self.store_failed(error)
            return
        if event.worker.group != "startup":
            return
        screen = self.screen
        if not isinstance(screen, LoadingScreen):
            return
        if isinstance(error, PackError):
            screen.show_problems(
                "The pack has problems; fix them and start again:", [str(p) for p in error.problems]
            )
        else:
            screen.show_problems("CodeDesk could not start:", [f"{type(error).__name__}: {error}"])

    def store_ready(self) -> bool:
        """True when every action will be committed to the store as it happens."""
        store = self.session.store if self.session is not None else None
        return not isinstance(store, DeferredStore) or store.attached

    @on(StoreAttached)
    def handle_store_attached(self) -> None:
        waiting, self._waiting_open = self._waiting_open, None
        if waiting is not None:
            self.open_chart(waiting)

    @on(QueueScreen.OpenChart)
    def handle_open_chart(self, message: QueueScreen.OpenChart) -> None:
        self.open_chart(message.chart_id)

    def store_failed(self, error: BaseException | None) -> None:
        """The store could not be opened or a write failed: block the work, offer to quit."""
        from simulator.tui.screens.storefailed import StoreFailedScreen

        self._waiting_open = None
        session = self.session
        hint = "codedesk practice --resume"
        if session is not None and session.mode == "assessment":
            hint = "the same `codedesk assess take` command"
        elif session is not None:
            hint = f"codedesk {session.mode} --resume {session.session_id}"
        self.push_screen(StoreFailedScreen(str(error), resume_hint=hint))

    def open_chart(self, chart_id: str) -> None:
        """Open a chart once the store can record it (a few ms after start at most)."""
        if not self.store_ready():
            self._waiting_open = chart_id
            return
        from simulator.tui.screens.chart import ChartScreen

        assert self.session is not None
        try:
            state = self.session.open_chart(chart_id)
        except SessionError as exc:
            self.notify(str(exc), title="Chart", severity="warning", markup=False)
            return
        self.push_screen(ChartScreen.for_chart(self, self.session, state))

    def on_chart_screen_submitted(self, message: ChartScreen.Submitted) -> None:
        """Show feedback (practice) or go on to the next chart (shift, assessment)."""
        from simulator.tui.screens.feedback import FeedbackScreen

        if self.timebox is not None:  # assessment hook: never feedback (tui/timebox.py)
            self.timebox.chart_submitted()
            return
        assert self.session is not None
        grade = self.session.state(message.chart_id).grade
        if self.session.mode == "practice" and grade is not None:
            self.switch_screen(FeedbackScreen(self.session, grade))
        else:
            self.pop_screen()
            self.auto_load()

    def on_feedback_screen_next(self) -> None:
        """Leave the feedback and open the next chart."""
        self.pop_screen()
        self.auto_load()

    def auto_load(self) -> None:
        """Open the next chart by priority (setting auto_load); end a finished shift."""
        session = self.session
        assert session is not None
        state = session.next_chart()
        if state is None:
            if session.mode == "shift" and session.all_done():
                self.end_shift()
            elif session.all_done():
                self.notify(
                    "Every chart in the queue is done. E ends the session with its summary.",
                    title="Queue empty",
                )
            else:
                self.notify(
                    "The charts left wait on a pend or a physician's answer.", title="Queue"
                )
            return
        if self.settings.auto_load:
            self.open_chart(state.chart.chart_id)

    async def on_event(self, event: events.Event) -> None:
        """Note the time of every key press and mouse action, for the idle lock."""
        if isinstance(
            event,
            events.Key | events.MouseDown | events.MouseMove | events.MouseScrollDown,
        ) and not getattr(event, "is_forwarded", False):
            self.last_input = self.clock.now()
            self.collector.note_input()
        await super().on_event(event)

    def tick(self) -> None:
        """Once a second: deliver the physician answers due, lock an idle screen, end the shift.

        Every time comes from the injected clock, so tests move a FakeClock and call tick().
        """
        session = self.session
        if session is None or self.locked or not self.store_ready():
            return
        if session.ended_at is not None:
            return
        arrived = [(c, session.receive_answer(c)) for c in session.due_answers()]
        for chart_id, answer in arrived:
            title = session.state(chart_id).chart.title
            self.notify(
                f"{title}: {answer}. The chart is back in your queue as 'answered'.",
                title="Physician answered your query",
                markup=False,
            )
        if arrived and isinstance(self.screen, QueueScreen):
            self.screen.refresh_rows()
        if session.mode != "assessment" and session.shift_over():
            self.end_shift()
            return
        minutes = self.settings.idle_lock_minutes
        idle = (self.clock.now() - self.last_input).total_seconds()
        if minutes > 0 and idle >= minutes * 60:
            self.lock_screen()

    def lock_screen(self) -> None:
        """Hide every patient detail until the trainee types their ID (HIPAA idle lock)."""
        from simulator.tui.screens.lock import LockScreen

        session = self.session
        if session is None or self.locked:
            return
        self.locked = True
        self.use_command_palette = False
        session.lock(self.settings.idle_lock_minutes * 60)
        self.push_screen(LockScreen(session, self.settings.idle_lock_minutes), self._unlocked)

    def _unlocked(self, _result: None = None) -> None:
        self.locked = False
        self.use_command_palette = self.ENABLE_COMMAND_PALETTE
        self.last_input = self.clock.now()

    def end_shift(self) -> None:
        """Close the session (the shift is over) and show the end-of-shift summary."""
        from simulator.tui.screens.summary import SummaryScreen

        session = self.session
        if session is None or isinstance(self.screen, SummaryScreen):
            return
        session.end()
        self.push_screen(SummaryScreen(session))

    def action_end_shift(self) -> None:
        """Ask, then end the shift and show the summary."""
        from simulator.tui.screens.confirm import ConfirmScreen

        if self.timebox is not None:  # assessment hook: ending is handing in (tui/timebox.py)
            self.timebox.confirm_hand_in()
            return
        session = self.session
        if session is None:
            return
        left = sum(1 for c in session.charts if c.grade is None)
        detail = "Every chart has a decision." if not left else f"{left} chart(s) are not done."
        detail += " The session closes and the summary follows."

        def answered(yes: bool | None) -> None:
            if yes:
                self.end_shift()

        self.push_screen(ConfirmScreen("End the shift now?", detail, "end the shift"), answered)

    async def action_quit(self) -> None:
        """Leave CodeDesk; a session whose charts are all done is closed first."""
        session = self.session
        if (
            session is not None
            and session.ended_at is None
            and session.all_done()
            and self.store_ready()
        ):
            session.end()
        await super().action_quit()

    # --- Assessment mode hooks: the logic is in simulator/tui/timebox.py ------------------

    timebox: AssessmentClock | None = None
    """The time box of an assessment sitting; None in practice and shift."""

    def start_timebox(self, session: Session) -> None:
        """Start the time box when an assessment session is ready (no-op in other modes)."""
        if self.settings.mode != "assessment" or self.timebox is not None:
            return
        from simulator.tui.timebox import AssessmentClock

        self.timebox = AssessmentClock(self, session, self.settings.time_limit_minutes)
        self.timebox.start(resumed=bool(self.settings.resume))

    def action_hand_in(self) -> None:
        """Hand the assessment in now, after asking."""
        if self.timebox is not None:
            self.timebox.confirm_hand_in()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """In assessment mode, turn off what would leave the sitting or show results."""
        if self.timebox is not None:
            return self.timebox.allows(action)
        return action != "hand_in"

    # --- end of the assessment mode hooks ---------------------------------------------------

    def action_help(self) -> None:
        """Show the keys of the current screen."""
        from simulator.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_history(self) -> None:
        """Open the trainee's history: sessions over time and accuracy by topic."""
        from simulator.tui.screens.history import open_history

        open_history(self)

    def action_toggle_theme(self) -> None:
        """Switch to the next CodeDesk theme."""
        names = [theme.name for theme in THEMES]
        index = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(index + 1) % len(names)]
        self.notify(self.theme.removeprefix("codedesk-"), title="Theme", markup=False)

    def action_inbox(self) -> None:
        """Open the inbox."""
        from simulator.tui.screens.inbox import InboxScreen

        if self.session is not None and self.store_ready():
            self.push_screen(InboxScreen(self.session))

    def action_find_patient(self) -> None:
        """Open the hospital's patient search."""
        from simulator.tui.screens.patients import FindPatientScreen

        def chosen(chart_id: str | None) -> None:
            if chart_id is not None:
                self.open_chart(chart_id)

        if self.session is not None and self.store_ready():
            self.push_screen(FindPatientScreen(self.session), chosen)

    def action_new_session(self) -> None:
        """Open the start screen: trainee, mode, pack and shift length."""
        from simulator.tui.screens.start import StartScreen

        self.push_screen(StartScreen(self.settings), self._start_chosen)

    def _start_chosen(self, choice: StartChoice | None) -> None:
        if choice is None:
            return
        old = self.session
        if old is not None and old.ended_at is None and self.store_ready():
            if old.all_done():
                old.end()
            elif old.current is not None:
                old.close_chart()
        self.settings = self.settings.model_copy(
            update={
                "trainee": choice.trainee,
                "mode": choice.mode,
                "pack": choice.pack,
                "shift_hours": choice.shift_hours,
                "resume": None,
            }
        )
        self.session = None
        self._waiting_open = None
        self.call_later(self._restart)

    async def _restart(self) -> None:
        """Back to the loading screen and prepare the new session."""
        while len(self.screen_stack) > 2:
            await self.pop_screen()
        await self.switch_screen(LoadingScreen())
        self.last_input = self.clock.now()
        self.prepare_session()
