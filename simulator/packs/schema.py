"""The JSON Schema of pack.yaml, a case file and an inbox message, for trainers' editors."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from simulator.packs.models import Case, InboxMessage, Pack

SchemaKind = Literal["pack", "case", "inbox"]
MODELS: dict[str, type[BaseModel]] = {"pack": Pack, "case": Case, "inbox": InboxMessage}
TITLES = {
    "pack": "CodeDesk pack.yaml",
    "case": "CodeDesk case file (cases/*.yaml)",
    "inbox": "CodeDesk inbox message (inbox/*.yaml)",
}


def json_schema(what: SchemaKind | str) -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) that a YAML editor can check a pack file with."""
    if what not in MODELS:
        raise ValueError(f"no schema {what!r}; choose one of: {', '.join(MODELS)}")
    schema = MODELS[what].model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": TITLES[what],
    }
