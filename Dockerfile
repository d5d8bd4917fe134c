# The web and scheduler image used by docker-compose.yml.
#
# Base image: pin it by digest for reproducible builds. The digest cannot be looked up from
# the machine this was written on (no Docker Hub access); find the current one with
#   docker buildx imagetools inspect python:3.11-slim-bookworm
# and build with --build-arg PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:<digest>
# (or replace the default below).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
FROM ${PYTHON_IMAGE}
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
    BOARD_ROOT=/app
RUN useradd --create-home --uid 10001 board

# Exactly the locked set (every file checked against its sha256), in its own layer so a code
# change does not reinstall the dependencies.
COPY requirements.lock /tmp/requirements.lock
RUN pip install --require-hashes --no-deps -r /tmp/requirements.lock

# The project itself, non-editable, built with the locked setuptools and nothing resolved;
# the source tree is dropped afterwards. Templates and static files live in BOARD_ROOT.
COPY pyproject.toml README.md /tmp/src/
COPY board /tmp/src/board
COPY search /tmp/src/search
COPY jobs /tmp/src/jobs
RUN pip install --no-deps --no-build-isolation /tmp/src && rm -rf /tmp/src /tmp/requirements.lock

WORKDIR /app
COPY templates ./templates
COPY static ./static
COPY README.md docker-compose.yml .env.example ./
# var/metrics exists in the image so the compose volume mounted there is the user's too.
RUN mkdir -p /app/var/metrics && chown -R board /app/var
USER board
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=5 \
  CMD ["python", "-c", "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3).status == 200 else 1)"]
CMD ["board", "serve", "--host", "0.0.0.0", "--no-scheduler", "--workers", "4"]
