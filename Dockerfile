# syntax=docker/dockerfile:1
#
# The data server as a static, non-root, shell-less image.
#
#   docker build -t starlight/dataserver:dev .
#   docker run --rm -p 50051:50051 -p 9464:9464 \
#     -v /srv/datasets:/data/datasets:ro -v dataserver-cache:/var/cache/dataserver \
#     -v /srv/dataserver/tokens.json:/etc/dataserver/tokens.json:ro \
#     -e DATASERVER_TOKENS_FILE=/etc/dataserver/tokens.json \
#     starlight/dataserver:dev
#
# The image listens on 0.0.0.0, which the server allows only with a tokens
# file (or --allow-insecure-public), so a bare `docker run` refuses to start
# until one is mounted. There is no HEALTHCHECK: it would need a shell or a
# probe binary; on Kubernetes the kubelet's gRPC probes (deploy/) do the job.
# Checked without a Docker engine by scripts/check-deploy.sh.

# Keep in step with the toolchain line of go.mod (scripts/check-deploy.sh checks it).
ARG GO_VERSION=1.26.10

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build
ARG TARGETOS
ARG TARGETARCH
WORKDIR /src
ENV CGO_ENABLED=0
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -buildvcs=false -ldflags="-s -w -buildid=" \
      -o /out/dataserver ./cmd/dataserver
# Mount points owned by the runtime user, so that a fresh volume (or an
# emptyDir without fsGroup) starts out writable by it.
RUN mkdir -p /out/data/datasets /out/var/cache/dataserver

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/dataserver /dataserver
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build --chown=65532:65532 /out/var/cache/dataserver /var/cache/dataserver
ENV DATASERVER_ROOT=/data/datasets \
    DATASERVER_CACHE_DIR=/var/cache/dataserver \
    DATASERVER_ADDR=0.0.0.0:50051 \
    DATASERVER_METRICS_ADDR=0.0.0.0:9464
# The dataset tree (mount it read-only) and the extraction cache.
VOLUME ["/data/datasets", "/var/cache/dataserver"]
# 50051: gRPC (data and grpc.health.v1); 9464: Prometheus /metrics.
EXPOSE 50051/tcp 9464/tcp
USER 65532:65532
ENTRYPOINT ["/dataserver", "serve"]
