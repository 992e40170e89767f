# The Discord bot: a client of the API (CRYPTOTRADER_API_URL, a service token), nothing else.
# Build from the repository root: docker build -f deploy/docker/discord-bot.Dockerfile .

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY discord-bot/pyproject.toml discord-bot/pyproject.toml
COPY discord-bot/src discord-bot/src
RUN python -m pip wheel --wheel-dir /wheels ./discord-bot

FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 DISCORD_STATE_DIR=/var/lib/cryptotrader-discord
RUN groupadd --system --gid 10002 discord \
    && useradd --system --uid 10002 --gid discord --home-dir /var/lib/cryptotrader-discord \
       --create-home discord
COPY --from=build /wheels /wheels
RUN python -m pip install --no-index /wheels/*.whl && rm -rf /wheels
USER 10002:10002
WORKDIR /var/lib/cryptotrader-discord
ENTRYPOINT ["cryptotrader-discord"]
