"""Where the daemon keeps its files: platformdirs, or everything under SOTTOVOCE_HOME."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "sottovoce"
HOME_ENV = "SOTTOVOCE_HOME"


@dataclass(frozen=True)
class Paths:
    """Every folder and file the daemon reads or writes."""

    config_dir: Path
    data_dir: Path
    state_dir: Path
    log_dir: Path

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Paths:
        """Use SOTTOVOCE_HOME when set, else the per-user platform folders."""
        env = os.environ if environ is None else environ
        home = env.get(HOME_ENV)
        if home:
            root = Path(home).expanduser().absolute()
            return cls(root / "config", root / "data", root / "state", root / "logs")
        return cls(
            Path(platformdirs.user_config_dir(APP_NAME)),
            Path(platformdirs.user_data_dir(APP_NAME)),
            Path(platformdirs.user_state_dir(APP_NAME)),
            Path(platformdirs.user_log_dir(APP_NAME)),
        )

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def token_file(self) -> Path:
        return self.config_dir / "token"

    @property
    def key_file(self) -> Path:
        """Fallback location of the history key when no OS keyring exists."""
        return self.config_dir / "history.key"

    @property
    def models_file(self) -> Path:
        """Models the user registered with `sottovoce models add`."""
        return self.config_dir / "models.toml"

    @property
    def models_dir(self) -> Path:
        """Models prepared from installed packages (e.g. joined split files)."""
        return self.data_dir / "models"

    @property
    def history_db(self) -> Path:
        return self.data_dir / "history.db"

    @property
    def lock_file(self) -> Path:
        return self.state_dir / "daemon.lock"

    @property
    def runtime_file(self) -> Path:
        """Written by a running daemon: its pid, address and port."""
        return self.state_dir / "daemon.json"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "sottovoce.log"

    def ensure(self) -> None:
        """Create the folders, readable by the user only."""
        for folder in (self.config_dir, self.data_dir, self.state_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
