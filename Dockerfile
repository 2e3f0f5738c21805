# clumio-preflight in a container: a static (musl) binary on a distroless base, nothing else.
#
#   docker build -t clumio-preflight .
#   docker run --rm -v "$PWD:/src" clumio-preflight --format line .
#
# The `build` stage alone (`docker build --target build .`) is what CI builds when Docker is
# available.
FROM rust:1.95-alpine AS build
# mimalloc compiles C: the musl headers and libc.
RUN apk add --no-cache musl-dev
WORKDIR /build
COPY Cargo.toml Cargo.lock build.rs ./
COPY src ./src
# The IAM engine, a workspace member.
COPY crates ./crates
# The patched hcl-edit ([patch.crates-io] in Cargo.toml).
COPY vendor ./vendor
# `docker build --build-arg CLUMIO_PREFLIGHT_GIT_COMMIT=$(git rev-parse --short=12 HEAD) .`
# puts the commit in --version (.git is not copied into the image).
ARG CLUMIO_PREFLIGHT_GIT_COMMIT=""
ENV CLUMIO_PREFLIGHT_GIT_COMMIT=${CLUMIO_PREFLIGHT_GIT_COMMIT}
RUN cargo build --locked --profile dist \
    && cp target/dist/clumio-preflight /clumio-preflight \
    && /clumio-preflight --version

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /clumio-preflight /usr/local/bin/clumio-preflight
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/clumio-preflight"]
