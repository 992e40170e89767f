"""Line protocol encoding: escaping and field types as InfluxDB parses them."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from cryptotrader.monitoring.line_protocol import encode


def test_every_field_type_is_encoded_as_influxdb_reads_it() -> None:
    line = encode(
        "bot",
        {"bot": "safe"},
        {"equity": Decimal("1012.50"), "trades": 3, "active": True, "note": 'say "hi" \\ bye'},
        1_700_000_000_000,
    )
    assert line == (
        'bot,bot=safe equity=1012.5,trades=3i,active=true,note="say \\"hi\\" \\\\ bye" '
        "1700000000000"
    )


def test_separators_in_names_tags_and_keys_are_escaped() -> None:
    line = encode("my m,x", {"pair name": "BTC/USDT,x=1"}, {"a b=c": 1.5}, 5)
    assert line == r"my\ m\,x,pair\ name=BTC/USDT\,x\=1 a\ b\=c=1.5 5"


def test_tags_are_sorted_and_empty_tag_values_left_out() -> None:
    assert encode("m", {"z": "1", "a": "2", "e": ""}, {"v": 1}, 0) == "m,a=2,z=1 v=1i 0"


def test_non_finite_fields_are_left_out_and_a_point_without_fields_is_none() -> None:
    assert encode("m", {}, {"a": float("nan"), "b": 2.0}, 1) == "m b=2.0 1"
    assert encode("m", {}, {"a": float("inf")}, 1) is None


@given(st.text(min_size=1), st.text(alphabet=st.characters(exclude_characters="\n")))
def test_a_point_is_one_line_whatever_its_tag(tag: str, text: str) -> None:
    line = encode("m", {"t": tag}, {"s": text}, 1)
    assert line is not None
    assert "\n" not in line
    assert line.endswith(" 1")
