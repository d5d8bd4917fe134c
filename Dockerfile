# The web and scheduler image used by docker-compose.yml.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY pyproject.toml README.md ./
COPY board ./board
COPY search ./search
COPY jobs ./jobs
COPY templates ./templates
COPY static ./static
RUN pip install --no-cache-dir -e .
# var/metrics exists in the image so the compose volume mounted there is the user's too.
RUN useradd --create-home board && mkdir -p /app/var/metrics && chown -R board /app/var
USER board
EXPOSE 8000
CMD ["board", "serve", "--host", "0.0.0.0", "--no-scheduler", "--workers", "4"]
