"""The JSON Schema of pack.yaml, a case file and an inbox message, for trainers' editors."""

from __future__ import annotations

import ast
import inspect
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel

from simulator.packs import models
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
    model = MODELS[what]
    schema = model.model_json_schema(by_alias=True, mode="validation")
    _describe(schema, model)
    for name, definition in schema.get("$defs", {}).items():
        nested = getattr(models, name, None)
        if isinstance(nested, type) and issubclass(nested, BaseModel):
            _describe(definition, nested)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": TITLES[what],
    }


@cache
def field_docs() -> dict[str, dict[str, str]]:
    """The docstring under each field of every class in packs/models.py: class name to field
    name to text (the source is the documentation; see Strict)."""
    tree = ast.parse(inspect.getsource(models))
    found: dict[str, dict[str, str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        docs: dict[str, str] = {}
        for statement, following in zip(node.body, node.body[1:], strict=False):
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                docs[statement.target.id] = inspect.cleandoc(following.value.value)
        found[node.name] = docs
    return found


def _describe(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """Give each property of model's schema the docstring of its field (inherited ones too)."""
    docs: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        docs.update(field_docs().get(cls.__name__, {}))
    properties = schema.get("properties", {})
    for name, field in model.model_fields.items():
        prop = properties.get(field.alias or name)
        if prop is not None and name in docs and "description" not in prop:
            prop["description"] = docs[name]
