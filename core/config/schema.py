"""A small declarative schema: config sections are frozen dataclasses, and each field
says its rules. `build(cls, table, key)` turns a TOML table into an instance, checking
types, rules and unknown keys, and collects *every* problem instead of stopping at one.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a config: which key, what value, which rule it breaks."""

    key: str
    value: object
    rule: str

    def __str__(self) -> str:
        if self.value is _ABSENT:
            return f"{self.key}: {self.rule}"
        return f"{self.key} = {show(self.value)}: {self.rule}"


class ConfigError(Exception):
    """Raised with all the problems of a config at once."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


_ABSENT: Any = _Absent()
ABSENT = _ABSENT  # a Problem about a missing key or a whole section


@dataclass(frozen=True, slots=True)
class Rule:
    """A check on a value; `text` completes the sentence "<key> = <value>: ..."."""

    text: str
    check: Callable[[Any], bool]


def section(cls: type[T]) -> type[T]:
    """Decorator for a config section: frozen, slotted, keyword-only."""
    return dataclass(frozen=True, slots=True, kw_only=True)(cls)


def between(lo: float, hi: float, what: str = "") -> Rule:
    """Inclusive range, e.g. `between(1, 247, "a Modbus address")`."""
    noun = f"{what} " if what else ""
    return Rule(f"must be {noun}{lo}..{hi}", lambda v: lo <= v <= hi)


def at_least(lo: float) -> Rule:
    return Rule(f"must be >= {lo}", lambda v: v >= lo)


def greater_than(lo: float) -> Rule:
    return Rule(f"must be > {lo}", lambda v: v > lo)


def matches(pattern: str, text: str) -> Rule:
    """Full regular-expression match on a string."""
    compiled = re.compile(pattern)
    return Rule(text, lambda v: compiled.fullmatch(v) is not None)


def satisfies(check: Callable[[Any], bool], text: str) -> Rule:
    """Any predicate; exceptions raised by `check` count as a failure."""

    def safe(value: Any) -> bool:
        try:
            return bool(check(value))
        except (ValueError, TypeError, KeyError, OverflowError):
            return False

    return Rule(text, safe)


def setting(default: Any = dataclasses.MISSING, *rules: Rule, doc: str = "") -> Any:
    """Declare a config field: its default (none = required), its rules and a doc line."""
    metadata = {"rules": rules, "doc": doc}
    if default is ...:
        return dataclasses.field(metadata=metadata)
    if isinstance(default, list | dict):
        raise TypeError("use tuples for list defaults; config objects are immutable")
    return dataclasses.field(default=default, metadata=metadata)


def show(value: object) -> str:
    """A value as it would be written in TOML, for error messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, dict):
        return "{...}" if value else "{}"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value[:4]) + (", ...]" if len(value) > 4 else "]")
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def build(cls: type[T], table: object, key: str, problems: list[Problem]) -> T | None:
    """Build dataclass `cls` from `table`; append problems; None when anything failed."""
    if not isinstance(table, dict):
        problems.append(Problem(key, table, "must be a table"))
        return None
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown_keys = sorted(set(table) - set(fields), key=str)
    for unknown in unknown_keys:
        close = difflib.get_close_matches(unknown, list(fields), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(Problem(_join(key, unknown), table[unknown], f"unknown key{hint}"))
    values: dict[str, Any] = {}
    ok = not unknown_keys
    for name, field in fields.items():
        sub = _join(key, name)
        if name not in table:
            if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                problems.append(Problem(sub, ABSENT, "is required"))
                ok = False
            continue
        before = len(problems)
        value = _convert(hints[name], table[name], sub, problems)
        if len(problems) == before:
            for rule in field.metadata.get("rules", ()):
                if not _passes(rule, value):
                    problems.append(Problem(sub, table[name], rule.text))
        if len(problems) != before:
            ok = False
        values[name] = value
    return cls(**values) if ok else None


def _passes(rule: Rule, value: Any) -> bool:
    try:
        return bool(rule.check(value))
    except (ValueError, TypeError, KeyError, OverflowError):
        return False


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _convert(hint: Any, value: object, key: str, problems: list[Problem]) -> Any:
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        if value is None:  # TOML has no null; only defaults are None
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _convert(inner, value, key, problems)
    if origin is Literal:
        if type(value) in {type(a) for a in args} and value in args:
            return value
        allowed = ", ".join(show(a) for a in args)
        problems.append(Problem(key, value, f"must be one of {allowed}"))
        return None
    if origin is tuple:
        if not isinstance(value, list):
            problems.append(Problem(key, value, "must be an array"))
            return None
        item = args[0]
        return tuple(_convert(item, v, f"{key}[{i}]", problems) for i, v in enumerate(value))
    if dataclasses.is_dataclass(hint):
        return build(hint, value, key, problems)
    return _scalar(hint, value, key, problems)


_SCALAR_NAMES = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}


def _scalar(hint: type, value: object, key: str, problems: list[Problem]) -> Any:
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, hint) and not (hint is not bool and isinstance(value, bool)):
        if hint is float and value != value:  # NaN
            problems.append(Problem(key, value, "must be a number, not nan"))
            return None
        return value
    problems.append(Problem(key, value, f"must be {_SCALAR_NAMES.get(hint, hint.__name__)}"))
    return None


def describe(cls: type) -> list[tuple[str, str, str]]:
    """(field, default, doc) rows of a section, for `--help`-style listings."""
    rows = []
    for f in dataclasses.fields(cls):
        default = "required" if f.default is dataclasses.MISSING else show(f.default)
        rows.append((f.name, default, f.metadata.get("doc", "")))
    return rows
