# One image for the api, worker and scheduler services (see docker-compose.yml).

# GraphiQL's browser files from the npm registry, pinned and hash-checked (served by the app).
FROM node:20-bookworm-slim AS graphiql
RUN apt-get update && apt-get install -y --no-install-recommends openssl ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY scripts/fetch-graphiql.sh scripts/
RUN bash scripts/fetch-graphiql.sh /graphiql

FROM python:3.13-slim-bookworm
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-chi-sim fonts-noto-cjk poppler-utils libgl1 libglib2.0-0 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
COPY api api
COPY schema schema
COPY workers workers
COPY services services
COPY infra infra
COPY store store
COPY verification verification
COPY scoring scoring
COPY common common
COPY notifications notifications
RUN pip install --no-cache-dir .
COPY --from=graphiql /graphiql /app/vendor/graphiql
ENV MEDCREDIT_GRAPHIQL_DIR=/app/vendor/graphiql
RUN useradd --system --home /app medcredit && mkdir -p /app/var && chown medcredit /app/var
USER medcredit
ENV MEDCREDIT_DATA_DIR=/app/var
EXPOSE 8000
CMD ["uvicorn", "api.asgi:app", "--host", "0.0.0.0", "--port", "8000", "--ws-per-message-deflate", "false"]
