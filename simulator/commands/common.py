"""What every command shares: clear errors, Settings from all sources, the codebook."""

from __future__ import annotations

import sys
import tomllib
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from simulator.config import Settings, config_file

if TYPE_CHECKING:
    from simulator.codebook import Codebook


class CliError(Exception):
    """A problem with what was typed or configured, shown as one clear line."""


def load_settings(**overrides: Any) -> Settings:
    """Build Settings from arguments, environment and the TOML file, with clear errors."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except tomllib.TOMLDecodeError as exc:
        raise CliError(f"{config_file()}: invalid TOML: {exc}") from None
    except ValidationError as exc:
        lines = [f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()]
        raise CliError("invalid setting: " + "; ".join(lines)) from None


_last_step: list[str] = []


def progress(step: str, fraction: float) -> None:
    """Show build progress on stderr: a live line on a terminal, one line a step otherwise."""
    if sys.stderr.isatty():
        print(f"\r\x1b[2K{step}: {fraction:4.0%}", end="", file=sys.stderr, flush=True)
        if step == "done":
            print(file=sys.stderr)
    elif not _last_step or _last_step[-1] != step:
        _last_step.append(step)
        print(f"codebook: {step}", file=sys.stderr)


def open_book(settings: Settings | None = None) -> Codebook:
    """Open the codebook index, building it first (with progress) when missing."""
    from simulator.codebook import Codebook

    settings = settings or load_settings()
    return Codebook.open_or_build(settings.cache_dir, progress, settings.data_dir)
