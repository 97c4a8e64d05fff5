"""The history screen: the trainee's sessions over time, accuracy and productivity plotted
against the goal lines, and accuracy by topic, weakest first.

The figures come from `simulator.reports.history` (the same as `codedesk history`), read from
the session store in a worker thread; this screen only shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker, WorkerState
from textual_plotext import PlotextPlot

from simulator.reports.history import TraineeHistory, accuracy_words, rate, trainee_history
from simulator.reports.load import Packs, ReportError
from simulator.scoring.report import pct, pct1
from simulator.store.base import Store
from simulator.tui.text import literal

if TYPE_CHECKING:
    from textual.app import App


SESSION_COLUMNS = (
    "Date",
    "Pack",
    "Mode",
    "Charts",
    "Accuracy",
    "Record",
    "Charts/h (target)",
    "WU/h (target)",
    "Productivity",
    "Privacy",
)
TOPIC_COLUMNS = ("Topic", "Charts", "Accuracy", "Record level")


class HistoryScreen(Screen[None]):
    """A trainee's progress: sessions over time, plots against the goals, weakest topics."""

    HELP = (
        "Your sessions over time, from the session store. The plots show code-over-code and "
        "record-level accuracy and productivity (share of the time standard) per session; the "
        "dashed line is the goal. The sessions table gives charts done, accuracy (with the figure "
        "as graded when a trainer gave manual credit), charts and workload units per hour "
        "against the pack's targets and privacy events; the topics table is accuracy by topic, "
        "weakest first: what to practise next. Nothing here identifies a patient."
    )

    BINDINGS = [
        Binding("escape", "close", "Back", id="history.close", tooltip="Back to the work"),
        Binding(
            "r",
            "reload",
            "Reload",
            id="history.reload",
            tooltip="Read the history again from the session store",
        ),
        Binding(
            "t",
            "focus_topics",
            "Topics",
            id="history.topics",
            tooltip="Go to the accuracy by topic, weakest first",
        ),
    ]

    DEFAULT_CSS = """
    HistoryScreen #history-title { height: 1; padding: 0 1; background: $surface; text-style: bold; }
    HistoryScreen #history-summary { height: auto; padding: 0 1; }
    HistoryScreen #history-plots { height: 14; }
    HistoryScreen #history-sessions { height: 1fr; min-height: 5; }
    HistoryScreen #history-topics { height: 1fr; min-height: 5; }
    """

    @dataclass
    class Loaded(Message):
        """The history, read by the worker."""

        history: TraineeHistory

    def __init__(self, store: Store, trainee: str, packs: Packs | None = None) -> None:
        """Show the history of a trainee from a store (packs give the targets)."""
        super().__init__()
        self.store = store
        self.trainee = trainee
        self.packs = packs or Packs()
        self.history: TraineeHistory | None = None

    def compose(self) -> ComposeResult:
        """Title, summary, the two plots, the sessions and the topics."""
        yield Static(literal(f"History · trainee {self.trainee}"), id="history-title")
        yield Static(literal("Reading the session store…"), id="history-summary")
        with Horizontal(id="history-plots"):
            yield PlotextPlot(id="history-accuracy")
            yield PlotextPlot(id="history-productivity")
        yield DataTable(id="history-sessions", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="history-topics", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        """Set up the tables and start reading."""
        sessions = self.query_one("#history-sessions", DataTable)
        for name in SESSION_COLUMNS:
            sessions.add_column(name, key=name)
        topics = self.query_one("#history-topics", DataTable)
        for name in TOPIC_COLUMNS:
            topics.add_column(name, key=name)
        sessions.focus()
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="history")
    def load(self) -> TraineeHistory:
        """Read the history from the store (in a thread) and post it."""
        history = trainee_history(self.store, self.trainee, self.packs)
        self.post_message(self.Loaded(history))
        return history

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.show(message.history)

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "history" or event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        text = (
            "No sessions yet: work a chart and come back."
            if isinstance(error, ReportError)
            else f"The history could not be read: {error}"
        )
        self.query_one("#history-summary", Static).update(literal(text))

    def show(self, history: TraineeHistory) -> None:
        """Fill the summary, the plots and the tables."""
        self.history = history
        pace = history.pace
        cohort = f" · cohort {history.cohort}" if history.cohort else ""
        summary = (
            f"{len(history.rows)} session(s){cohort} · {history.charts_graded} chart(s) graded · "
            f"accuracy {accuracy_words(history.accuracy, history.original_accuracy)} "
            f"(goal {pct(history.accuracy_goal)}) · record level {pct(history.record_rate)} · "
            f"{rate(pace.charts_per_hour)} charts/h (target {rate(pace.target_charts_per_hour)}) · "
            f"productivity {pct(pace.productivity)} (goal {pct(history.productivity_goal)}) · "
            f"{history.privacy_events} privacy event(s)"
        )
        self.query_one("#history-summary", Static).update(literal(summary))
        self._plot(history)
        sessions = self.query_one("#history-sessions", DataTable)
        sessions.clear()
        for row in reversed(history.rows):
            served = f"/{row.charts_served}" if row.charts_served is not None else ""
            privacy = f"{row.privacy_events}" + ("" if row.privacy_passed else " FAIL")
            cells = (
                f"{row.started_at:%Y-%m-%d %H:%M}",
                f"{row.pack_id} {row.pack_version}",
                row.mode,
                f"{row.charts_done}{served}",
                accuracy_words(row.accuracy, row.original_accuracy),
                pct(row.record_rate),
                f"{rate(row.pace.charts_per_hour)} ({rate(row.pace.target_charts_per_hour)})",
                f"{rate(row.pace.units_per_hour)} ({rate(row.pace.target_units_per_hour)})",
                pct(row.pace.productivity),
                privacy,
            )
            sessions.add_row(*(literal(c) for c in cells), key=row.session_id)
        topics = self.query_one("#history-topics", DataTable)
        topics.clear()
        for group in history.topics:
            cells = (
                group.name,
                str(group.charts),
                pct1(group.accuracy),
                f"{group.records}/{group.charts}",
            )
            topics.add_row(*(literal(c) for c in cells), key=group.name)

    def _plot(self, history: TraineeHistory) -> None:
        """Draw accuracy and productivity per session, each with its goal line."""
        xs = list(range(1, len(history.rows) + 1))
        labels = [f"{row.started_at:%m-%d}" for row in history.rows]
        accuracy = [r.accuracy for r in history.rows]
        records = [r.record_rate for r in history.rows]
        self._draw(
            self.query_one("#history-accuracy", PlotextPlot),
            f"Accuracy % by session (goal {history.accuracy_goal:.0%}: the red line)",
            xs,
            labels,
            [("code-over-code", accuracy), ("record level", records)],
            history.accuracy_goal,
        )
        productivity = [r.pace.productivity for r in history.rows]
        self._draw(
            self.query_one("#history-productivity", PlotextPlot),
            f"Productivity % of standard (goal {history.productivity_goal:.0%}: the red line)",
            xs,
            labels,
            [("productivity", productivity)],
            history.productivity_goal,
        )

    @staticmethod
    def _draw(
        widget: PlotextPlot,
        title: str,
        xs: list[int],
        labels: list[str],
        series: list[tuple[str, list[float | None]]],
        goal: float,
    ) -> None:
        """Plot shares (as %) per session with the goal line, the y axis fitted to the data."""
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        known = [v * 100 for _, values in series for v in values if v is not None]
        low = max(0.0, (min([*known, goal * 100]) - 5) // 10 * 10)
        high = min(300.0, max([*known, goal * 100, 100.0])) + 2
        for label, values in series:
            points = [(x, v * 100) for x, v in zip(xs, values, strict=True) if v is not None]
            if points:
                plt.plot(
                    [p[0] for p in points], [p[1] for p in points], label=label, marker="braille"
                )
        plt.ylim(low, high)
        plt.hline(goal * 100, "red")
        if xs:
            plt.xticks(xs, labels)
        widget.refresh()

    def action_close(self) -> None:
        """Go back."""
        self.app.pop_screen()

    def action_reload(self) -> None:
        """Read the history again."""
        self.query_one("#history-summary", Static).update(literal("Reading the session store…"))
        self.load()

    def action_focus_topics(self) -> None:
        """Move to the topics table."""
        self.query_one("#history-topics", DataTable).focus()


def open_history(app: App[object]) -> None:
    """Open the history of the app's trainee over the app's session store."""
    session = getattr(app, "session", None)
    if session is None:
        app.notify("The history opens once the session is loaded.", title="History")
        return
    if isinstance(app.screen, HistoryScreen):
        return
    app.push_screen(HistoryScreen(session.store, session.trainee, Packs([session.pack])))
