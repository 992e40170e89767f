# The backend image: the API (with the app's web export) and every engine; one image, the command
# picks the process. Multi-stage: the web export and the wheels are built apart, the runtime stage
# holds neither compilers nor Node. TA-Lib comes inside the ta-lib wheel (no system library).
# Build from the repository root: docker build -f deploy/docker/backend.Dockerfile .

FROM node:20-bookworm-slim AS web
WORKDIR /src/mobile
COPY mobile/package.json mobile/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY mobile/ ./
RUN npx expo export --platform web --output-dir /web

# The dependencies' wheels depend on pyproject.toml's dependency list alone: a change to the code
# or to the tools' settings reuses them (the list is copied by content, so an unchanged list is a
# cache hit); pip's cache survives a change of the list.
FROM python:3.11-slim-bookworm AS requirements
WORKDIR /src
COPY backend/pyproject.toml backend/
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('backend/pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt

FROM python:3.11-slim-bookworm AS deps
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY --from=requirements /src/requirements.txt ./
RUN --mount=type=cache,target=/root/.cache/pip \
    python -m pip wheel --wheel-dir /wheels -r requirements.txt

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY backend/pyproject.toml backend/
COPY backend/src backend/src
RUN python -m pip wheel --no-deps --wheel-dir /app ./backend

FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 CRYPTOTRADER_DATA_DIR=/var/lib/cryptotrader \
    CRYPTOTRADER_API__WEB_DIR=/srv/cryptotrader/web
RUN groupadd --system --gid 10001 cryptotrader \
    && useradd --system --uid 10001 --gid cryptotrader --home-dir /var/lib/cryptotrader \
       --create-home cryptotrader
RUN --mount=type=bind,from=deps,source=/wheels,target=/wheels \
    python -m pip install --no-index /wheels/*.whl
RUN --mount=type=bind,from=build,source=/app,target=/app \
    python -m pip install --no-index --no-deps /app/*.whl
COPY --from=web /web /srv/cryptotrader/web
USER 10001:10001
WORKDIR /var/lib/cryptotrader
EXPOSE 8000
ENTRYPOINT ["cryptotrader"]
CMD ["api", "--host", "0.0.0.0", "--port", "8000"]
