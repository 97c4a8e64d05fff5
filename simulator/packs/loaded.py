"""A loaded pack: the models of a pack that parsed, kept apart from the loader so that reopening a
compiled pack (see packs/checkcache.py) needs neither YAML nor the loader."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from simulator.packs.models import Case, InboxMessage, Pack

if TYPE_CHECKING:
    from simulator.packs.yamlsrc import Located


@dataclass
class LoadedPack:
    """A pack that parsed and matched the models, with where each part came from."""

    root: Path
    pack: Pack
    cases: list[Case]
    sources: dict[str, Located] = field(default_factory=dict)
    """Parsed case files by case id, kept so later checks can locate their problems."""
    inbox: list[InboxMessage] = field(default_factory=list)
    """Inbox messages (inbox/*.yaml) in file order."""
    inbox_sources: dict[str, Located] = field(default_factory=dict)
    """Parsed inbox files by message id."""
    pack_source: Located | None = None
    """Parsed pack.yaml, for locating pack-level problems."""

    def case(self, case_id: str) -> Case:
        """Return a case by id."""
        for case in self.cases:
            if case.id == case_id:
                return case
        raise KeyError(case_id)

    def selected(self, seed: int) -> list[Case]:
        """Return the cases a session with this seed works, following pack.yaml's selection."""
        return self.pack.selection.choose(self.cases, seed)
