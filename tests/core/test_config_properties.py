"""Property tests: whatever the document, the loader returns a Config or a ConfigError."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.configs import TOPOLOGY_DOCUMENTS, site_document

from connext.core.config import Config, ConfigError, parse_config

KNOWN_KEYS = [
    "box", "serial", "site", "phases", "contracted_power_w", "topology", "timezone", "latitude", "longitude",
    "rs485", "port", "baudrate", "meter", "address", "ct_ratio", "inverters", "kind", "family", "sensors", "ct1",
    "ct2", "multiplier", "invert", "can", "interface", "channel", "wallboxes", "max_current_a", "charging",
    "strategy", "outputs", "number", "logics", "max", "min", "window", "dates", "metrics", "listen", "state_dir",
]  # fmt: skip

scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
keys = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(min_size=1, max_size=8))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)),
    max_leaves=20,
)


def toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_string(key)


def toml_string(text: str) -> str:
    return json.dumps(text).replace("\\/", "/")  # JSON escapes are valid TOML basic-string escapes


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def to_toml(document: dict[str, Any]) -> str:
    return "\n".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in document.items()) + "\n"


def load(text: str) -> Config | ConfigError:
    try:
        return parse_config(text, Path("/tmp/connext-property"))
    except ConfigError as err:
        assert err.problems, "a ConfigError always says what is wrong"
        assert all(str(p) for p in err.problems)
        return err


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, values, max_size=8))
def test_random_documents_load_or_give_errors(document: dict[str, Any]) -> None:
    load(to_toml(document))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(TOPOLOGY_DOCUMENTS)),
    st.lists(st.tuples(st.sampled_from(["box", "site", "meter", "rs485", "sensors", "can"]), keys, values),
             max_size=4),
)  # fmt: skip
def test_mutated_valid_documents_load_or_give_errors(topology: int, edits: list[tuple[str, str, Any]]) -> None:
    document = site_document(topology)
    for section, key, value in edits:
        table = document.setdefault(section, {})
        if isinstance(table, dict):
            table[key] = value
    load(to_toml(document))


@settings(max_examples=300)
@given(st.text(max_size=200))
def test_random_text_loads_or_gives_errors(text: str) -> None:
    load(text)


def test_the_emitter_round_trips_a_valid_document() -> None:
    assert isinstance(load(to_toml(site_document(7))), Config)
