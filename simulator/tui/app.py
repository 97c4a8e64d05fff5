"""The CodeDesk Textual app: loads the codebook and pack in a worker, then runs the queue."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from simulator.tui.screens.chart import ChartScreen

from simulator.codebook.index import Codebook
from simulator.config import Settings
from simulator.packs.checkcache import open_checked_pack
from simulator.packs.errors import PackError
from simulator.packs.loaded import LoadedPack
from simulator.shift.clock import Clock
from simulator.shift.session import Session, SessionError
from simulator.store.base import DeferredStore, Store
from simulator.tui.commands import CodeLookupProvider
from simulator.tui.screens.loading import LoadingScreen
from simulator.tui.screens.queue import QueueScreen
from simulator.tui.themes import THEMES


class CodeDeskApp(App[None]):
    """A medical coder's working day, in the terminal."""

    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {CodeLookupProvider}
    TITLE = "CodeDesk"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", tooltip="Leave CodeDesk", show=False),
    ]

    @dataclass
    class Progress(Message):
        """A step of the start-up work, for the loading screen."""

        step: str
        fraction: float

    class StoreAttached(Message):
        """The session store is open; user actions are saved as they happen."""

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
        super().__init__()
        self.settings = settings
        self.seed = seed if seed is not None else random.SystemRandom().randrange(1, 2**31)
        self.clock = clock
        self.store = store
        self.session: Session | None = None
        self._waiting_open: str | None = None
        for theme in THEMES:
            self.register_theme(theme)
        self.theme = (
            settings.theme if settings.theme in {t.name for t in THEMES} else "codedesk-dark"
        )

    def on_mount(self) -> None:
        """Show the loading screen and start the start-up work."""
        self.push_screen(LoadingScreen())
        self.prepare_session()

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
        store: Store = self.store if self.store is not None else DeferredStore()
        session = Session(
            loaded,
            book,
            self.clock,
            store,
            seed=self.seed,
            trainee=self.settings.trainee,
            mode=self.settings.mode,
        )
        self.post_message(self.Ready(session))
        return session

    @work(thread=True, exclusive=True, exit_on_error=False, group="store")
    def attach_store(self, deferred: DeferredStore) -> None:
        """Open the SQL store after the queue is on screen and hand it the held events."""
        from simulator.store.sql import SqlStore

        deferred.attach(SqlStore(self.settings.effective_database_url))
        self.post_message(self.StoreAttached())

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
        self.session = message.session
        self.switch_screen(QueueScreen(message.session))
        store = message.session.store
        if isinstance(store, DeferredStore):
            self.call_after_refresh(self.attach_store, store)

    @on(Worker.StateChanged)
    def handle_worker_state(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if event.worker.group == "store":
            self.notify(
                f"The session store could not be opened: {error}. Nothing will be saved.",
                title="Store",
                severity="error",
                timeout=30,
            )
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

    def open_chart(self, chart_id: str) -> None:
        """Open a chart once the store can record it (a few ms after start at most)."""
        if not self.store_ready():
            self._waiting_open = chart_id
            return
        from simulator.tui.screens.chart import ChartScreen

        assert self.session is not None
        state = self.session.open_chart(chart_id)
        self.push_screen(ChartScreen(self.session, state))

    def on_chart_screen_submitted(self, message: ChartScreen.Submitted) -> None:
        """Show feedback (practice) or go on to the next chart (shift)."""
        from simulator.tui.screens.feedback import FeedbackScreen

        assert self.session is not None
        grade = self.session.state(message.chart_id).grade
        assert grade is not None
        if self.session.mode == "practice":
            self.switch_screen(FeedbackScreen(self.session, grade))
        else:
            self.pop_screen()
            self.auto_load()

    def on_feedback_screen_next(self) -> None:
        """Leave the feedback and open the next chart."""
        self.pop_screen()
        self.auto_load()

    def auto_load(self) -> None:
        assert self.session is not None
        if not self.settings.auto_load:
            return
        state = self.session.next_chart()
        if state is None:
            self.notify("Every chart in the queue is done.", title="Queue empty")
            return
        self.open_chart(state.chart.chart_id)
