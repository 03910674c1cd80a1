"""Request models built from the config sections, so a value the API accepts obeys the
very rules (and types, defaults and docs) of the same key in config.toml.

`section_model("StrategyChange", ChargingConfig, ("strategy",), optional=(...))` gives a
strict pydantic model: unknown keys refused, no type coercion, each field checked by
its config `Rule`s with the rule's own text as the error.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model
from pydantic_core import PydanticCustomError

from connext.core.config.schema import Rule

STRICT = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False, frozen=True)


def obeys(*rules: Rule) -> AfterValidator:
    """A pydantic validator that applies config `Rule`s; the error text is the rule's."""

    def check(value: Any) -> Any:
        for rule in rules:
            try:
                ok = bool(rule.check(value))
            except (ValueError, TypeError, KeyError, OverflowError):
                ok = False
            if not ok:
                raise PydanticCustomError("rule", rule.text)
        return value

    return AfterValidator(check)


def describe(*rules: Rule, doc: str = "") -> str:
    return "; ".join(text for text in (doc, *(r.text for r in rules)) if text)


def _field(section: type, name: str, optional: bool) -> tuple[Any, Any]:
    spec = {f.name: f for f in dataclasses.fields(section)}[name]
    hint = typing.get_type_hints(section)[name]
    rules: tuple[Rule, ...] = spec.metadata.get("rules", ())
    annotated = Annotated[hint, obeys(*rules)] if rules else hint
    description = describe(*rules, doc=spec.metadata.get("doc", ""))
    if optional:
        return annotated | None, Field(None, description=description + " (absent: unchanged)")
    default = ... if spec.default is dataclasses.MISSING else spec.default
    return annotated, Field(default, description=description)


def section_model(
    model_name: str, section: type, fields: Iterable[str], optional: Iterable[str] = (), doc: str = ""
) -> type[BaseModel]:
    """A strict model with `fields` (required as in the config) and `optional` ones (default None)."""
    definitions = {name: _field(section, name, False) for name in fields}
    definitions |= {name: _field(section, name, True) for name in optional}
    model = create_model(model_name, __config__=STRICT, **definitions)  # type: ignore[call-overload]
    model.__doc__ = doc or f"Fields of [{section.__name__}] in config.toml, with the same rules."
    return model
