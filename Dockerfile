# spacebot in a container: `docker build -t spacebot .` then see docker-compose.yml
# and deploy/README.md.
#
#   docker run --rm spacebot spacebot preview --from 2015-03-27 --to 2016-03-03
#
# runs on the built-in defaults; mount a configuration at /config/config.yaml (the
# working directory, where spacebot looks for ./config.yaml) to use it.  State (outbox,
# lock, heartbeat, the dataset cache) lives in the /data volume, owned by the image's
# user, uid 10001: a host directory mounted there must be writable by that uid
# (`sudo chown 10001 DIR`, or `docker run --user "$(id -u):$(id -g)"`).  Credentials
# come from the environment (SPACEBOT_<TARGET>_<FIELD>, or <VAR>_FILE for Docker secrets).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A font for names in CJK scripts on charts (DejaVu Sans, inside matplotlib, covers
# Latin, Greek and Cyrillic).
RUN apt-get update \
    && apt-get install --yes --no-install-recommends fonts-wqy-microhei \
    && apt-get clean \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# 1. The dependencies alone, read from the project's own metadata (pyproject.toml):
#    this layer is rebuilt only when the dependencies change, not on every code change.
COPY pyproject.toml ./
RUN python -c "import tomllib; \
print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# 2. spacebot itself, a normal (not editable) install: the wheel carries the bundled
#    mission data (bot/schedules, from schedules/), so the source is not kept.
COPY README.md LICENSE ./
COPY bot ./bot
COPY schedules ./schedules
RUN pip install --no-deps . \
    && cd /tmp && rm -rf /src \
    && spacebot --version \
    && SPACEBOT_CACHE_DIR= spacebot validate --no-credentials

# 3. An unprivileged user (uid 10001) that owns only the state directory.
RUN useradd --system --uid 10001 --user-group --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin spacebot \
    && mkdir -p /data /config \
    && chown spacebot:spacebot /data \
    && chmod 0700 /data
USER spacebot
WORKDIR /config

# No SPACEBOT_CONFIG: an explicit path that does not exist is an error, while
# ./config.yaml (here /config/config.yaml) is used only when it is there.
ENV SPACEBOT_STATE_DIR=/data
VOLUME ["/data"]

# Exit 0 when a check completed within 26 h and no target is stuck, else 1.
HEALTHCHECK --interval=5m --timeout=30s --start-period=2m --retries=3 \
    CMD ["spacebot", "health"]

# SIGTERM (docker stop) finishes a post in flight and exits 0; SIGHUP
# (docker kill -s HUP) reloads the data, templates and configuration.
STOPSIGNAL SIGTERM
CMD ["spacebot", "run"]
