"""Settings: defaults, overridden by a TOML file, overridden by CODEDESK_ environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from simulator import paths

Mode = Literal["practice", "shift", "assessment"]


class Settings(BaseSettings):
    """Everything a CodeDesk run can be told; every field has a safe default."""

    model_config = SettingsConfigDict(
        env_prefix="CODEDESK_",
        extra="ignore",
        validate_default=True,
    )

    pack: Path = Field(default_factory=lambda: paths.builtin_pack("starter"))
    """The scenario pack to work: a folder holding pack.yaml (or a .zip of one)."""

    mode: Mode = "practice"
    """Practice gives feedback after every chart; shift keeps it for the end of the day;
    assessment (started by `codedesk assess take`) shows no feedback and no score at all."""

    trainee: str = "trainee"
    """The trainee's ID (or name), recorded with the session and shown in trainers' reports;
    prefer an ID. Patient identifiers never appear in reports or exports."""

    cache_dir: Path = Field(default_factory=paths.user_cache_dir)
    """Where the codebook index is built and kept."""

    data_dir: Path = Field(default_factory=paths.user_data_dir)
    """Where the session database lives."""

    database_url: str | None = None
    """SQLAlchemy URL of the session store; None means a SQLite file in data_dir."""

    theme: str = "codedesk-dark"
    """The colour theme: codedesk-dark, codedesk-light or codedesk-high-contrast."""

    auto_load: bool = True
    """Open the next chart automatically after a submit."""

    resume: str | None = None
    """Resume a stored session instead of starting one: its id, or "latest" for the trainee's
    most recent session on the pack."""

    shift_hours: float = Field(default=8.0, gt=0, le=24)
    """Length of a shift in hours, for the clock in the header."""

    time_limit_minutes: float | None = Field(default=None, gt=0, le=24 * 60)
    """A hard time box (assessments): warnings at 10, 5 and 1 minutes left, and every chart is
    handed in automatically at zero. None means no time box."""

    idle_lock_minutes: float = Field(default=10.0, ge=0, le=24 * 60)
    """Minutes without a key press before the screen locks and hides PHI; 0 turns it off."""

    keymap: dict[str, str] = Field(default_factory=dict)
    """Your own keys, by binding id: e.g. `[keymap]` then `"queue.next" = "j"` in the TOML file
    (several keys: "j,down"). Every binding id is listed in docs/KEYS.md."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Read arguments first, then the environment, then the TOML file."""
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_file())
        return (init_settings, env_settings, toml)

    @property
    def effective_database_url(self) -> str:
        """The store URL: the configured one, or the default SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'codedesk.sqlite3'}"


def config_file() -> Path:
    """The TOML file read for settings; CODEDESK_CONFIG names another one."""
    import os

    override = os.environ.get("CODEDESK_CONFIG")
    return Path(override) if override else paths.user_config_file()
