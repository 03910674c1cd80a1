"""Write a config (or scenario) document as TOML: the demo's derived config when it must
point the daemon elsewhere (Modbus TCP instead of a pty), and the config files that the
end-to-end tests and benchmarks start the daemon with.

Enough of TOML for these documents: scalars, arrays of scalars, tables, nested tables and
arrays of tables. Strings are written as JSON strings, which are valid TOML basic strings.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"TOML has no {value}")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, int | float | str):
        return json.dumps(value)
    raise TypeError(f"cannot write {type(value).__name__} {value!r} as TOML")


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list | tuple) and bool(value) and all(isinstance(v, dict) for v in value)


def _table(path: str, table: dict[str, Any], lines: list[str]) -> None:
    for key, value in table.items():
        if value is not None and not isinstance(value, dict) and not _is_table_array(value):
            lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in table.items():
        name = f"{path}.{_key(key)}" if path else _key(key)
        if isinstance(value, dict):
            lines.append(f"\n[{name}]")
            _table(name, value, lines)
        elif _is_table_array(value):
            for item in value:
                lines.append(f"\n[[{name}]]")
                _table(name, item, lines)


def to_toml(document: dict[str, Any]) -> str:
    """The document as TOML text (None values are left out)."""
    lines: list[str] = []
    _table("", document, lines)
    return "\n".join(lines).lstrip("\n") + "\n"


def write_toml(path: str | Path, document: dict[str, Any]) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_toml(document), encoding="utf-8")
    return path
