"""The push channels as real HTTP clients against local providers speaking their protocols."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from cryptotrader.notify.channels import (
    ExpoChannel,
    Notification,
    NtfyChannel,
    NtfyTarget,
    Status,
    VapidKeys,
    WebPushChannel,
    WebPushSubscription,
    is_expo_token,
)
from cryptotrader.notify.channels.webpush import check_subscription
from tests.support.push_servers import (
    ExpoState,
    NtfyState,
    WebPushState,
    expo_server,
    ntfy_server,
    web_push_service,
)
from tests.support.sentiment_server import closed_port

CLOSED = Notification(
    event="trade_closed",
    title="Aggressive bot sold BTC/USDT: +12.50 USDT (+2.5%)",
    body="Take-profit hit at 67,450.00 après 3 h — 3.75 USDT moved to the safe bot",
    severity="info",
    tag="trade-42",
    data={"trade_id": "42", "pnl": "12.50"},
)
TOKEN = "ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]"
DEAD = "ExponentPushToken[deaddeaddeaddeaddead]"


@pytest_asyncio.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=60) as http:
        yield http


# --- Expo -------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_expo_send_when_accepted_the_server_holds_the_message(
    client: httpx.AsyncClient,
) -> None:
    with expo_server(ExpoState(access_token="expo-secret")) as server:
        channel = ExpoChannel(client, base_url=server.url, access_token="expo-secret")
        outcome = await channel.send(TOKEN, CLOSED)
        assert outcome.status is Status.SENT
        assert outcome.receipt is not None
        [message] = server.state.messages_to(TOKEN)
        assert message["title"] == CLOSED.title
        assert message["body"] == CLOSED.body
        assert message["data"] == {"event": "trade_closed", "trade_id": "42", "pnl": "12.50"}
        receipts = await channel.receipts([outcome.receipt])
        assert receipts[outcome.receipt].status is Status.SENT


@pytest.mark.asyncio
async def test_expo_send_when_device_not_registered_reports_gone(
    client: httpx.AsyncClient,
) -> None:
    with expo_server(ExpoState(dead_tokens={DEAD})) as server:
        outcomes = await ExpoChannel(client, base_url=server.url).send_many([TOKEN, DEAD], CLOSED)
        assert [o.status for o in outcomes] == [Status.SENT, Status.GONE]
        assert "DeviceNotRegistered" in outcomes[1].detail
        assert server.state.messages_to(DEAD) == []


@pytest.mark.asyncio
async def test_expo_send_when_message_rate_exceeded_asks_to_retry(
    client: httpx.AsyncClient,
) -> None:
    with expo_server(ExpoState(rate_limited={TOKEN: 1})) as server:
        channel = ExpoChannel(client, base_url=server.url)
        first = await channel.send(TOKEN, CLOSED)
        assert first.status is Status.RETRY
        assert "MessageRateExceeded" in first.detail
        assert (await channel.send(TOKEN, CLOSED)).status is Status.SENT


@pytest.mark.asyncio
async def test_expo_send_when_http_429_asks_to_retry_after_the_servers_delay(
    client: httpx.AsyncClient,
) -> None:
    with expo_server(ExpoState(throttle_requests=1, retry_after="7")) as server:
        outcome = await ExpoChannel(client, base_url=server.url).send(TOKEN, CLOSED)
        assert outcome.status is Status.RETRY
        assert outcome.retry_after_s == 7
        assert server.state.accepted == []


@pytest.mark.asyncio
async def test_expo_send_when_access_token_wrong_fails_for_good(
    client: httpx.AsyncClient,
) -> None:
    with expo_server(ExpoState(access_token="right")) as server:
        outcome = await ExpoChannel(client, base_url=server.url, access_token="wrong").send(
            TOKEN, CLOSED
        )
        assert outcome.status is Status.FAILED
        assert "UNAUTHORIZED" in outcome.detail
        assert "wrong" not in outcome.detail


@pytest.mark.asyncio
async def test_expo_send_when_unreachable_asks_to_retry(client: httpx.AsyncClient) -> None:
    channel = ExpoChannel(client, base_url=f"http://127.0.0.1:{closed_port()}/--/api/v2/push")
    assert (await channel.send(TOKEN, CLOSED)).status is Status.RETRY


def test_expo_token_shapes() -> None:
    assert is_expo_token(TOKEN)
    assert is_expo_token("ExpoPushToken[abcdefghijklmnop]")
    assert not is_expo_token("not-a-token")
    assert not is_expo_token("ExponentPushToken[]")


# --- ntfy -------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_ntfy_send_publishes_json_with_token(client: httpx.AsyncClient) -> None:
    with ntfy_server(NtfyState(tokens={"trades": "tk_secret"})) as server:
        channel = NtfyChannel(client)
        outcome = await channel.send(NtfyTarget(server.url, "trades", "tk_secret"), CLOSED)
        assert outcome.status is Status.SENT
        [message] = server.state.on("trades")
        assert message["title"] == CLOSED.title
        assert message["message"] == CLOSED.body  # accents intact: JSON, not headers
        assert message["priority"] == 3
        refused = await channel.send(NtfyTarget(server.url, "trades", "tk_wrong"), CLOSED)
        assert refused.status is Status.FAILED
        assert "403" in refused.detail


@pytest.mark.asyncio
async def test_ntfy_send_when_rate_limited_asks_to_retry(client: httpx.AsyncClient) -> None:
    with ntfy_server(NtfyState(throttle_requests=1)) as server:
        target = NtfyTarget(server.url, "open")
        assert (await NtfyChannel(client).send(target, CLOSED)).status is Status.RETRY
        assert (await NtfyChannel(client).send(target, CLOSED)).status is Status.SENT


# --- Web Push ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_web_push_send_is_decrypted_by_the_subscriptions_private_key(
    client: httpx.AsyncClient,
) -> None:
    keys = VapidKeys.generate()
    with web_push_service(WebPushState()) as service:
        sid, subscription = service.subscribe()
        channel = WebPushChannel(client, keys=keys, subject="mailto:ops@example.org")
        outcome = await channel.send(subscription, CLOSED)
        assert outcome.status is Status.SENT, outcome.detail
        [payload] = service.state.payloads(sid)
        assert payload["title"] == CLOSED.title
        assert payload["body"] == CLOSED.body
        assert payload["data"] == {"trade_id": "42", "pnl": "12.50"}
        headers = service.state.received[0][2]
        assert f"k={keys.public_key}" in headers["Authorization"]
        assert service.state.refused == []


@pytest.mark.asyncio
async def test_web_push_keys_survive_their_pem(client: httpx.AsyncClient) -> None:
    keys = VapidKeys.generate()
    again = VapidKeys(keys.private_pem)
    assert again.public_key == keys.public_key
    with web_push_service() as service:
        sid, subscription = service.subscribe()
        channel = WebPushChannel(client, keys=again, subject="mailto:ops@example.org")
        assert (await channel.send(subscription, CLOSED)).status is Status.SENT
        assert len(service.state.payloads(sid)) == 1


@pytest.mark.asyncio
async def test_web_push_send_when_subscription_expired_reports_gone(
    client: httpx.AsyncClient,
) -> None:
    with web_push_service() as service:
        sid, subscription = service.subscribe()
        service.state.gone.add(sid)
        channel = WebPushChannel(
            client, keys=VapidKeys.generate(), subject="mailto:ops@example.org"
        )
        assert (await channel.send(subscription, CLOSED)).status is Status.GONE


@pytest.mark.asyncio
async def test_web_push_send_when_throttled_asks_to_retry(client: httpx.AsyncClient) -> None:
    with web_push_service(WebPushState(throttle_requests=1)) as service:
        _, subscription = service.subscribe()
        channel = WebPushChannel(
            client, keys=VapidKeys.generate(), subject="mailto:ops@example.org"
        )
        outcome = await channel.send(subscription, CLOSED)
        assert outcome.status is Status.RETRY
        assert outcome.retry_after_s == 0


def test_check_subscription_refuses_bad_keys() -> None:
    good = WebPushSubscription(
        "https://push.example/x",
        "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
        "tBHItJI5svbpez7KI4CCXg",
    )
    check_subscription(good)
    with pytest.raises(ValueError, match="p256dh"):
        check_subscription(WebPushSubscription("https://push.example/x", "AAAA", good.auth))
    with pytest.raises(ValueError, match="URL"):
        check_subscription(WebPushSubscription("ftp://push.example/x", good.p256dh, good.auth))
