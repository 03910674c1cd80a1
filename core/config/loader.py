"""Load config.toml once, validate all of it, resolve paths."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from .model import Config
from .schema import ABSENT, ConfigError, Problem, build
from .topology import check_site

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python < 3.11: the packaging metadata installs tomli
    import tomli as tomllib


def load_config(path: str | Path) -> Config:
    """Read and validate a config file; raise `ConfigError` with every problem found."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError([Problem(str(path), ABSENT, f"cannot be read: {err.strerror or err}")]) from err
    except UnicodeDecodeError as err:
        raise ConfigError([Problem(str(path), ABSENT, f"is not UTF-8 text: {err.reason}")]) from err
    return parse_config(text, base_dir=path.resolve().parent, source=str(path))


def parse_config(text: str, base_dir: Path, source: str = "config") -> Config:
    """Validate TOML text; relative paths are taken from `base_dir`."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError([Problem(source, ABSENT, f"is not valid TOML: {err}")]) from err
    return from_dict(document, base_dir)


def from_dict(document: dict, base_dir: Path) -> Config:
    """Validate an already parsed document (also used by scenario files)."""
    problems: list[Problem] = []
    config = build(Config, document, "", problems)
    if config is not None:
        problems += check_site(config)
    if problems or config is None:
        raise ConfigError(problems)
    return resolve_paths(config, base_dir)


def resolve_paths(config: Config, base_dir: Path) -> Config:
    """Make state_dir, the debug socket and the database absolute."""
    state_dir = (base_dir / config.state_dir).resolve()
    socket = Path(config.debug.socket) if config.debug.socket else state_dir / "connext.sock"
    database = Path(config.storage.path) if config.storage.path else state_dir / "connext.db"
    return dataclasses.replace(
        config,
        state_dir=str(state_dir),
        debug=dataclasses.replace(config.debug, socket=str((base_dir / socket).resolve())),
        storage=dataclasses.replace(config.storage, path=str((base_dir / database).resolve())),
    )
