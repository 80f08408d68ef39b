# API image: `docker compose up` runs it against Neo4j; alone it serves the bundled dataset in memory.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BPKG_HOST=0.0.0.0
WORKDIR /src
COPY . .
RUN pip install . && useradd --system --no-create-home bpkg
USER bpkg
EXPOSE 8000
CMD ["bpkg", "serve"]
