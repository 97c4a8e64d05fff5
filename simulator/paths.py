"""Where CodeDesk keeps its files and where its packaged data lives."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "codedesk"

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_root() -> Path:
    """Return the folder holding `scenarios/` and `codebooks/` (wheel or source checkout)."""
    bundled = _PACKAGE_DIR / "_data"
    if (bundled / "scenarios").is_dir():
        return bundled
    return _PACKAGE_DIR.parent


def scenarios_dir() -> Path:
    """Return the folder of built-in scenario packs."""
    return data_root() / "scenarios"


def codebooks_dir() -> Path:
    """Return the folder of authored code-set files."""
    return data_root() / "codebooks"


def builtin_pack(name: str = "starter") -> Path:
    """Return the folder of a built-in pack by name."""
    return scenarios_dir() / name


def user_config_file() -> Path:
    """Return the TOML configuration file path (it need not exist)."""
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def user_cache_dir() -> Path:
    """Return the cache folder, where the codebook index is built."""
    return platformdirs.user_cache_path(APP_NAME)


def user_data_dir() -> Path:
    """Return the data folder, where sessions are stored."""
    return platformdirs.user_data_path(APP_NAME)
