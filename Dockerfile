# spacebot in a container: `docker build -t spacebot .` then see docker-compose.yml
# and deploy/README.md.  State (outbox, lock, heartbeat) lives in the /data volume,
# the configuration is mounted read-only at /config/config.yaml, and credentials come
# from the environment (SPACEBOT_<TARGET>_<FIELD>, or <VAR>_FILE for Docker secrets).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# 1. The dependencies alone, read from the project's own metadata (pyproject.toml):
#    this layer is rebuilt only when the dependencies change, not on every code change.
COPY pyproject.toml ./
RUN python -c "import tomllib; \
print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# 2. The code and the bundled mission data.  Editable install: bot/data.py finds the
#    bundled schedules/ next to the package, so the package stays here in /app.
COPY README.md LICENSE ./
COPY bot ./bot
COPY schedules ./schedules
RUN pip install --no-deps -e . && spacebot --version

# 3. An unprivileged user that owns only the state directory.
RUN useradd --system --uid 10001 --user-group --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin spacebot \
    && mkdir -p /data /config \
    && chown spacebot:spacebot /data \
    && chmod 0700 /data
USER spacebot

ENV SPACEBOT_CONFIG=/config/config.yaml \
    SPACEBOT_STATE_DIR=/data
VOLUME ["/data"]

# Exit 0 when a check completed within 26 h and no target is stuck, else 1.
HEALTHCHECK --interval=5m --timeout=30s --start-period=2m --retries=3 \
    CMD ["spacebot", "health"]

# SIGTERM (docker stop) finishes a post in flight and exits 0; SIGHUP
# (docker kill -s HUP) reloads the data, templates and configuration.
STOPSIGNAL SIGTERM
CMD ["spacebot", "run"]
