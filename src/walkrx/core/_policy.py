"""Shared machinery for policy objects: documented fields and strict mapping round-trips.

Every clinical threshold in walkrx.core is a field declared with `policy_field`, so the
value, its unit and its source travel together and can be listed for clinicians.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from walkrx.core.errors import PolicyError

P = TypeVar("P")


def policy_field(default: Any, *, doc: str, source: str, unit: str = "") -> Any:
    """Declare a policy value with its meaning, unit and evidence source."""
    return dataclasses.field(default=default, metadata={"doc": doc, "source": source, "unit": unit})


@dataclass(frozen=True, slots=True)
class PolicyFieldInfo:
    """One documented policy value, as shown to clinicians and in docs/core.md."""

    name: str
    value: Any
    default: Any
    unit: str
    doc: str
    source: str


def describe_policy(policy: Any) -> tuple[PolicyFieldInfo, ...]:
    """List every field of a policy object with its value, default, unit and source."""
    return tuple(
        PolicyFieldInfo(
            name=f.name,
            value=getattr(policy, f.name),
            default=f.default,
            unit=f.metadata["unit"],
            doc=f.metadata["doc"],
            source=f.metadata["source"],
        )
        for f in dataclasses.fields(policy)
    )


def _check_type(name: str, value: Any, expected: type) -> Any:
    # Policy values are numbers; a JSON true/false is never a valid number here.
    if not isinstance(value, bool):
        if expected is float and isinstance(value, int | float):
            return float(value)
        if expected is int and isinstance(value, int):
            return value
    raise PolicyError(f"policy key {name!r} must be {expected.__name__}, got {value!r}")


def policy_from_data(cls: type[P], data: Mapping[str, Any]) -> P:
    """Build a policy of type `cls` from a (partial) mapping, rejecting unknown keys."""
    if not isinstance(data, Mapping):
        raise PolicyError(f"policy must be a mapping of keys to values, got {type(data).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise PolicyError(
            f"unknown policy key(s) {', '.join(map(repr, unknown))}; "
            f"known keys: {', '.join(sorted(fields))}"
        )
    values = {
        name: _check_type(name, value, type(fields[name].default)) for name, value in data.items()
    }
    return cls(**values)


def policy_to_data(policy: Any) -> dict[str, Any]:
    """Every field of a policy as a plain JSON-ready mapping."""
    return {f.name: getattr(policy, f.name) for f in dataclasses.fields(policy)}
