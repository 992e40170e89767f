# Stand-ins for the official base images, built from a local Debian bookworm (debootstrap) when
# no registry is reachable: deploy/smoke/run tags them with the official names so that the
# project's Dockerfiles and docker-compose.yml run unchanged. Test-only: never published.
# Build context: a folder holding the host's CA bundle (ca.crt) and, for the node stage, node/.

FROM local/debian:bookworm AS base
# the host reaches the package registries through a TLS proxy that only the host's CA bundle
# trusts: the images built on this base must trust it too. Its own path: Debian's
# ca-certificates (pulled in by python3-pip) rewrites /etc/ssl/certs/ca-certificates.crt.
COPY ca.crt /etc/ssl/host-ca.crt
ENV SSL_CERT_FILE=/etc/ssl/host-ca.crt \
    REQUESTS_CA_BUNDLE=/etc/ssl/host-ca.crt \
    PIP_CERT=/etc/ssl/host-ca.crt \
    NODE_EXTRA_CA_CERTS=/etc/ssl/host-ca.crt \
    npm_config_cafile=/etc/ssl/host-ca.crt

# python:3.11-slim-bookworm: Debian's python3 (3.11.2); pip may install system-wide, as in the
# official image (whose Python is its own, not Debian's)
FROM base AS python
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-pip python-is-python3 \
    && rm -rf /var/lib/apt/lists/* /usr/lib/python3.11/EXTERNALLY-MANAGED

# node:20-bookworm-slim: the host's Node 20 and npm
FROM base AS node
RUN apt-get update && apt-get install -y --no-install-recommends libstdc++6 \
    && rm -rf /var/lib/apt/lists/*
COPY node/bin/node /usr/local/bin/node
COPY node/npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
    && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx

# prom/prometheus: Debian's Prometheus (2.42), wget for the compose healthcheck
FROM base AS prometheus
RUN apt-get update && apt-get install -y --no-install-recommends prometheus wget \
    && rm -rf /var/lib/apt/lists/* && mkdir -p /prometheus
ENTRYPOINT ["/usr/bin/prometheus"]
