"""``plan``: one delivery per chosen channel and device, never one a user turned off."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from cryptotrader.bus.messages import AlertRaised
from cryptotrader.domain.enums import BotKind
from cryptotrader.notify.channels import CHANNELS
from cryptotrader.notify.events import EVENTS, Language, render
from cryptotrader.notify.notifier import plan, wants
from cryptotrader.persistence.repositories.notifications import Recipient
from cryptotrader.persistence.tables import NotificationDeviceRow, NotificationSettingsRow

AT = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)

choices = st.dictionaries(
    st.sampled_from(sorted(EVENTS)),
    st.dictionaries(st.sampled_from(CHANNELS), st.booleans()),
)


@st.composite
def recipients(draw: st.DrawFn) -> list[Recipient]:
    found = []
    next_device = 1
    for user_id in range(1, draw(st.integers(1, 4)) + 1):
        settings = None
        if draw(st.booleans()):
            settings = NotificationSettingsRow(
                user_id=user_id,
                preferences=draw(choices),
                language=draw(st.sampled_from(["en", "fr"])),
                ntfy_url="https://ntfy.example" if draw(st.booleans()) else None,
                ntfy_topic="topic",
                updated_at=AT,
            )
        devices = []
        for channel in draw(st.lists(st.sampled_from(["webpush", "expo"]), max_size=3)):
            devices.append(
                NotificationDeviceRow(
                    id=next_device, user_id=user_id, channel=channel, address=f"a{next_device}"
                )
            )
            next_device += 1
        found.append(Recipient(user_id, settings, devices))
    return found


@given(people=recipients(), kind=st.sampled_from(sorted(EVENTS)))
def test_plan_sends_each_chosen_channel_once_per_device(people: list[Recipient], kind: str) -> None:
    alert = AlertRaised(timestamp=AT, kind=kind, text="t", bot=BotKind.SAFE)
    rows = plan(alert, people, now=AT)

    keys = [(r["user_id"], r["channel"], r["target"]) for r in rows]
    assert len(keys) == len(set(keys))
    expected = set()
    for person in people:
        preferences = person.settings.preferences if person.settings else {}
        for device in person.devices:
            if wants(preferences, kind, device.channel):
                expected.add((person.user_id, device.channel, f"device:{device.id}"))
        ntfy = person.settings is not None and bool(person.settings.ntfy_url)
        if ntfy and wants(preferences, kind, "ntfy"):
            expected.add((person.user_id, "ntfy", "ntfy"))
    assert set(keys) == expected
    for row in rows:
        person = next(p for p in people if p.user_id == row["user_id"])
        language: Language = "fr" if person.settings and person.settings.language == "fr" else "en"
        assert row["notification"]["title"] == render(alert, language).title
        assert row["message_id"] == alert.message_id
        assert row["status"] == "pending"
