# One image for every Một Cửa process. docker-compose.yml and deploy/k8s pick the
# process by overriding the command: `python -m services.<name>`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MOTCUA_STATE_DIR=/var/lib/motcua

WORKDIR /app

# DejaVu Sans has the Vietnamese glyphs the PDF receipts and letters are set in.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, read from pyproject.toml alone, so a code change reuses this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The project itself. Editable, so the code runs from /app together with the
# non-Python files beside it (templates, schemas).
COPY shared ./shared
COPY services ./services
# The state directory, and the one docker-compose.yml shares notify's public key through,
# belong to the service user, so the volumes mounted there start out writable by it.
RUN pip install --no-deps -e . \
    && groupadd --system --gid 10001 motcua \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/motcua --create-home motcua \
    && install -d -o 10001 -g 10001 /var/lib/motcua-public

# Numeric, so Kubernetes can verify runAsNonRoot (deploy/k8s runs it as 10001:10001 with
# a read-only root filesystem: nothing here writes outside /tmp and its volumes).
USER 10001:10001
EXPOSE 8000
CMD ["python", "-m", "services.gateway"]
