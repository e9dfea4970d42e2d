"""Configuration: defaults, SOTTOVOCE_HOME, and clear refusals of bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from daemon.config import Settings, load_settings, save_values
from daemon.errors import ConfigError
from daemon.paths import Paths
from tests.support.daemon import sottovoce, write_config


def test_missing_file_gives_defaults(isolated_home: Path) -> None:
    settings = load_settings(Paths.from_env())
    assert settings == Settings()
    assert settings.server.host == "127.0.0.1" and settings.server.port == 8765


def test_sottovoce_home_relocates_every_file(isolated_home: Path) -> None:
    paths = Paths.from_env()
    for path in (
        paths.config_file,
        paths.token_file,
        paths.history_db,
        paths.lock_file,
        paths.log_file,
        paths.models_dir,
    ):
        assert isolated_home in path.parents


def test_valid_file_is_read(isolated_home: Path) -> None:
    write_config(isolated_home, '[server]\nport = 9001\n[speech]\nmodel = "whisper-tiny.en"\n')
    settings = load_settings(Paths.from_env())
    assert settings.server.port == 9001
    assert settings.speech.model == "whisper-tiny.en"


@pytest.mark.parametrize(
    "text, key, problem",
    [
        ("[server]\nport = 70000\n", "server.port", "less than or equal to 65535"),
        ('[server]\nport = "high"\n', "server.port", "integer"),
        ('[server]\nhost = "192.168.1.5"\n', "server.host", "not a loopback address"),
        (
            f"[server]\nmax_upload_bytes = {2 << 30}\n",
            "server.max_upload_bytes",
            "less than or equal to 1073741824",
        ),
        ("[speech]\nmodle = 1\n", "speech.modle", "unknown key"),
        ("[nonsense]\nx = 1\n", "nonsense", "unknown key"),
        ('[llm]\ndevice = "tpu"\n', "llm.device", "'auto', 'cpu' or 'cuda'"),
        ('[server]\nunix_socket = "api.sock"\n', "server.unix_socket", "absolute path"),
        (f'[server]\nunix_socket = "/{"x" * 120}"\n', "server.unix_socket", "too long"),
        (
            "[history]\nretention_days = -3\n",
            "history.retention_days",
            "greater than or equal to 0",
        ),
    ],
)
def test_invalid_values_name_the_key_and_problem(
    isolated_home: Path, text: str, key: str, problem: str
) -> None:
    write_config(isolated_home, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(Paths.from_env())
    assert key in str(caught.value) and problem in str(caught.value)


def test_a_socket_path_may_start_with_home(isolated_home: Path) -> None:
    write_config(isolated_home, '[server]\nunix_socket = "~/sottovoce/api.sock"\n')
    socket = load_settings(Paths.from_env()).server.unix_socket
    assert socket == str(Path.home() / "sottovoce" / "api.sock")


def test_broken_toml_is_refused(isolated_home: Path) -> None:
    write_config(isolated_home, "[server\nport = 1\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(Paths.from_env())


def test_serve_refuses_invalid_config_with_message(isolated_home: Path) -> None:
    write_config(isolated_home, "[server]\nport = -1\n")
    result = sottovoce("serve", home=isolated_home, timeout=60)
    assert result.returncode == 1
    assert "server.port" in result.stderr and "Traceback" not in result.stderr


def test_config_path_prints_the_file(isolated_home: Path) -> None:
    result = sottovoce("config", "path", home=isolated_home)
    assert result.stdout.strip() == str(isolated_home / "config" / "config.toml")


def test_saving_into_a_missing_config_file_creates_it(isolated_home: Path) -> None:
    paths = Paths.from_env()
    save_values(paths.config_file, {"rewrite": {"default_preset": "concise"}})
    assert load_settings(paths).rewrite.default_preset == "concise"


def test_a_value_the_config_would_refuse_is_not_saved(isolated_home: Path) -> None:
    path = write_config(isolated_home, "# mine\n[llm]\nqueue_size = 2\n")
    with pytest.raises(ConfigError, match=r"speech\.device"):
        save_values(path, {"speech": {"device": "tpu"}})
    assert path.read_text() == "# mine\n[llm]\nqueue_size = 2\n"
