# syntax=docker/dockerfile:1
# Image of the simulators (mlc-sandbox): `mlc sandbox tally` and `mlc sandbox walmart`, for
# rehearsing the whole system with `docker compose --profile sandbox up`.
#
#   docker build -f deploy/docker/sandbox.Dockerfile -t ml-connector/sandbox .
#
# Same two stages as the service images (services/*/Dockerfile): mlc-sandbox and its locked
# dependencies plus the `mlc` command, nothing of the services. No HEALTHCHECK here: the two
# simulators answer on different ports and paths, so docker-compose.yml gives each its own.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
ENV UV_PROJECT_ENVIRONMENT=/opt/mlc/venv \
    UV_PYTHON=/usr/local/bin/python3 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy
WORKDIR /src
COPY pyproject.toml uv.lock README.md ./
COPY shared/pyproject.toml shared/
COPY services/tally-agent/pyproject.toml services/tally-agent/
COPY services/walmart-gateway/pyproject.toml services/walmart-gateway/
COPY services/webhook-receiver/pyproject.toml services/webhook-receiver/
COPY services/sync-orchestrator/pyproject.toml services/sync-orchestrator/
COPY sandbox/pyproject.toml sandbox/
COPY deploy/docker/install.sh deploy/docker/cli_requirements.py deploy/docker/
RUN --mount=type=cache,target=/root/.cache/uv sh deploy/docker/install.sh deps mlc-sandbox
COPY sandbox/ sandbox/
RUN --mount=type=cache,target=/root/.cache/uv sh deploy/docker/install.sh package mlc-sandbox
COPY ml_connector/ ml_connector/
RUN --mount=type=cache,target=/root/.cache/uv sh deploy/docker/install.sh cli

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="ml-connector sandbox" \
      org.opencontainers.image.description="Faithful TallyPrime and Walmart Marketplace simulators for rehearsal" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 mlc \
 && useradd --system --uid 10001 --gid mlc --home-dir /var/lib/mlc --create-home \
    --shell /usr/sbin/nologin mlc
COPY --from=builder /opt/mlc/venv /opt/mlc/venv
COPY deploy/docker/healthcheck.py /opt/mlc/healthcheck.py
ENV PATH=/opt/mlc/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /var/lib/mlc
USER 10001:10001
EXPOSE 9000 9001 8081
ENTRYPOINT ["mlc"]
CMD ["sandbox", "--help"]
