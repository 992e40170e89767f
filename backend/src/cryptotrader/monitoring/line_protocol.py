"""InfluxDB line protocol, the one write format InfluxDB 1.x, 2.x and 3.x all accept.

https://docs.influxdata.com/influxdb/v2/reference/syntax/line-protocol/ : ``measurement,tag=v
field=1.5,count=3i,ok=true,text="quoted" 1700000000000``. Non-finite floats have no encoding and
are left out; a point left with no field is not written.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal

FieldValue = float | int | bool | str | Decimal

_MEASUREMENT = str.maketrans({",": r"\,", " ": r"\ ", "\n": r"\n"})
_KEY = str.maketrans({",": r"\,", "=": r"\=", " ": r"\ ", "\n": r"\n"})


def _field(value: FieldValue) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value}i"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    number = float(value)  # Decimal money becomes a float here: the database keeps the exact one
    return repr(number) if math.isfinite(number) else None


def encode(
    measurement: str,
    tags: Mapping[str, str],
    fields: Mapping[str, FieldValue],
    timestamp_ms: int,
) -> str | None:
    """One point as a line (millisecond precision), or None when it has no finite field."""
    encoded = []
    for key, value in fields.items():
        text = _field(value)
        if text is not None:
            encoded.append(f"{key.translate(_KEY)}={text}")
    if not encoded:
        return None
    head = measurement.translate(_MEASUREMENT)
    for key in sorted(tags):  # sorted tags: what InfluxDB recommends for write performance
        value = tags[key]
        if value:  # an empty tag value is invalid; the tag is simply absent
            head += f",{key.translate(_KEY)}={value.translate(_KEY)}"
    return f"{head} {','.join(encoded)} {timestamp_ms}"
