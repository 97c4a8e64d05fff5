"""The start screen: who is working, in which mode, on which pack, for how long."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Select, Static

from simulator import paths
from simulator.config import Settings
from simulator.tui.text import literal

MODES: tuple[tuple[str, str], ...] = (
    ("practice", "Practice: feedback after every chart"),
    ("shift", "Shift: a working day, feedback at the end"),
)
"""The modes a trainee may start here (assessments are started by a screener)."""


@dataclass(frozen=True)
class StartChoice:
    """What the trainee chose on the start screen."""

    trainee: str
    mode: str
    pack: Path
    shift_hours: float


def builtin_packs() -> list[tuple[str, Path]]:
    """The built-in packs: (name, folder) of every scenarios/ folder holding a pack.yaml."""
    root = paths.scenarios_dir()
    if not root.is_dir():
        return []
    return [
        (folder.name, folder)
        for folder in sorted(root.iterdir())
        if (folder / "pack.yaml").is_file()
    ]


def shown_path(path: Path) -> str:
    """A pack folder as typed: relative to the working folder or to ~ when it is inside one."""
    resolved = path.expanduser().resolve()
    for base, prefix in ((Path.cwd(), ""), (Path.home(), "~/")):
        try:
            return prefix + str(resolved.relative_to(base.resolve()))
        except ValueError:
            continue
    return str(resolved)


def check_choice(trainee: str, pack: str, hours: str, mode: str) -> StartChoice | str:
    """Return the choice, or what is wrong with it in words the trainee can act on."""
    name = " ".join(trainee.split())
    if not name:
        return "type your name or trainee ID"
    folder = Path(pack.strip()).expanduser()
    if not pack.strip() or not folder.exists():
        return f"no pack at {pack.strip() or '(nothing typed)'}: choose a built-in pack or a folder"
    try:
        length = float(hours)
    except ValueError:
        return "the shift length is a number of hours, e.g. 8"
    if not 0 < length <= 24:
        return "the shift length is between 0 and 24 hours"
    return StartChoice(name, mode, folder, length)


class StartScreen(Screen[StartChoice | None]):
    """Fill in the form; Ctrl+S (or the Start button) starts a new session."""

    BINDINGS = [
        Binding(
            "ctrl+s",
            "start",
            "Start",
            id="start.start",
            tooltip="Start the session with these choices",
            priority=True,
        ),
        Binding("escape", "cancel", "Back", id="start.cancel", tooltip="Back without starting"),
    ]
    HELP = (
        "A new session: your name or trainee ID (it also unlocks the idle lock), practice or "
        "shift, a built-in pack or a pack folder of your own, and the length of the shift."
    )

    def __init__(self, settings: Settings) -> None:
        """Prefill the form from the current settings."""
        super().__init__()
        self.settings = settings

    def compose(self) -> ComposeResult:
        """The form."""
        packs = builtin_packs()
        current = self.settings.pack.resolve()
        chosen = next((str(p) for _n, p in packs if p.resolve() == current), None)
        with Vertical(id="start-box"):
            yield Static(literal("New session · CodeDesk"), id="start-title")
            yield Static(
                literal("Every patient is synthetic. Work is saved as you go."),
                id="start-about",
            )
            with Horizontal(classes="start-row"):
                yield Label("Trainee", classes="start-label")
                yield Input(
                    self.settings.trainee,
                    placeholder="name or ID",
                    compact=True,
                    id="start-trainee",
                )
            with Horizontal(classes="start-row"):
                yield Label("Mode", classes="start-label")
                yield Select(
                    [(label, mode) for mode, label in MODES],
                    value=self.settings.mode if self.settings.mode in dict(MODES) else "practice",
                    allow_blank=False,
                    compact=True,
                    id="start-mode",
                )
            with Horizontal(classes="start-row"):
                yield Label("Pack", classes="start-label")
                yield Select(
                    [(f"{name} (built-in)", str(path)) for name, path in packs],
                    value=chosen if chosen is not None else Select.NULL,
                    allow_blank=True,
                    prompt="another folder (type it below)",
                    compact=True,
                    id="start-pack",
                )
            with Horizontal(classes="start-row"):
                yield Label("", classes="start-label")
                yield Input(
                    "" if chosen is not None else shown_path(self.settings.pack),
                    placeholder="or a pack folder or .zip, e.g. ~/packs/cardiology",
                    compact=True,
                    id="start-path",
                )
            with Horizontal(classes="start-row"):
                yield Label("Shift hours", classes="start-label")
                yield Input(
                    f"{self.settings.shift_hours:g}", type="number", compact=True, id="start-hours"
                )
            yield Static("", id="start-message")
            yield Button("Start", variant="primary", compact=True, id="start-button")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Focus the trainee entry."""
        self.query_one("#start-trainee", Input).focus()

    def mode(self) -> str:
        """The mode chosen."""
        value = self.query_one("#start-mode", Select).value
        return value if isinstance(value, str) else "practice"

    def pack(self) -> str:
        """The pack chosen: the typed folder wins over the list."""
        typed = self.query_one("#start-path", Input).value.strip()
        if typed:
            return typed
        value = self.query_one("#start-pack", Select).value
        return "" if value is Select.NULL or value is None else str(value)

    @on(Button.Pressed, "#start-button")
    def action_start(self) -> None:
        """Check the form and start, or say what to fix."""
        choice = check_choice(
            self.query_one("#start-trainee", Input).value,
            self.pack(),
            self.query_one("#start-hours", Input).value,
            self.mode(),
        )
        if isinstance(choice, str):
            self.query_one("#start-message", Static).update(literal(f"✗ {choice}"))
            return
        self.dismiss(choice)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_start()

    def action_cancel(self) -> None:
        """Back without starting."""
        self.dismiss(None)
