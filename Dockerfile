# syntax=docker/dockerfile:1
#
# Tessera container image.
#
#   docker build -t tessera .
#   docker run --rm -p 6379:6379 tessera
#   redis-cli -p 6379 PING
#
# Stage 1 builds a release binary with the Swift runtime linked statically, so the
# runtime stage needs nothing but glibc/libstdc++ from Debian.  The builder is pinned
# to a Swift 6.x release on the same Debian release as the runtime (bookworm) so the
# glibc the binary was linked against matches; override with --build-arg SWIFT_IMAGE=.

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------------------
FROM ${SWIFT_IMAGE} AS builder
WORKDIR /src

# The package has no dependencies, so there is nothing to resolve/cache separately.
COPY Package.swift ./
COPY Sources ./Sources
# SwiftPM checks that every target declared in Package.swift has its directory,
# including test targets, so Tests/ must be present even though we do not build it.
COPY Tests ./Tests

RUN swift build -c release --static-swift-stdlib \
 && install -D -m 0755 "$(swift build -c release --static-swift-stdlib --show-bin-path)/tessera" \
        /staging/usr/local/bin/tessera \
 && strip /staging/usr/local/bin/tessera

# ---------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE}

RUN groupadd --system tessera \
 && useradd --system --gid tessera --home-dir /var/lib/tessera --shell /usr/sbin/nologin tessera \
 && install -d -o tessera -g tessera -m 0750 /var/lib/tessera \
 && install -d -m 0755 /etc/tessera

COPY --from=builder /staging/usr/local/bin/tessera /usr/local/bin/tessera
COPY config/tessera.conf /etc/tessera/tessera.conf

# Fail the image build (rather than the first `docker run`) if a shared library is missing.
RUN if ldd /usr/local/bin/tessera | grep -q 'not found'; then \
        ldd /usr/local/bin/tessera; echo 'tessera: missing shared libraries' >&2; exit 1; \
    fi

USER tessera
WORKDIR /var/lib/tessera
EXPOSE 6379

# Liveness: send an inline PING over bash's /dev/tcp (no redis-cli in the image).
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\\r\\n' >&3 && timeout 2 head -c 7 <&3 | grep -q PONG"]

# Arguments after the config file override its directives, exactly like redis-server:
#   --bind 0.0.0.0        the shipped config binds loopback only (127.0.0.1 ::1), which
#                         is unreachable from outside the container.  One address is
#                         enough here: Docker publishes IPv4 and container IPv6 is often
#                         disabled (a multi-value form would be `--bind 0.0.0.0 ::`,
#                         redis-server style: several values after one directive).
#   --protected-mode no   with protected mode on and no password, Tessera (like Redis) answers
#                         every non-loopback client with -DENIED, and inside a container every
#                         client is non-loopback. The official Redis image turns it off for the
#                         same reason. Set a password (--requirepass, or `user` lines) whenever
#                         the port is reachable by anything but your app servers.
# The container boundary (published ports) is the access control here; put Tessera on a
# private network reachable only by your app servers.
CMD ["tessera", "/etc/tessera/tessera.conf", "--bind", "0.0.0.0", "--protected-mode", "no"]
