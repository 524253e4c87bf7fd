# syntax=docker/dockerfile:1
# The web app, port 8080: the built single-page app behind nginx, which also passes the gateway's
# paths (/graphql with its websocket, /reports/, /data-exports/, /audit/, /scim/, /auth/config) to
# GATEWAY_URL; /dev/ is never passed.
# Build from the repository root: docker build -f deploy/docker/web.Dockerfile .
# Run: docker run -e GATEWAY_URL=http://gateway:8100 -p 8080:8080 mentorship/web

FROM node:20.19-bookworm-slim AS build
WORKDIR /src/web
# The packages first, from the lock file only: this layer is rebuilt when they change.
COPY web/package.json web/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund
COPY web/ ./
# vite build: fails when the main chunk grows beyond its budget (web/vite.config.ts).
RUN npm run build

# The runtime: nginx as an unprivileged user (101), listening on 8080, with its main
# configuration from web.nginx.conf. Its entrypoint renders /etc/nginx/templates/*.template into
# /etc/nginx/conf.d with the environment substituted; with a read-only root filesystem,
# /etc/nginx/conf.d and /tmp must be writable mounts.
FROM nginxinc/nginx-unprivileged:1.28-alpine
COPY deploy/docker/web.nginx.conf /etc/nginx/nginx.conf
COPY deploy/docker/web.conf.template /etc/nginx/templates/default.conf.template
COPY --from=build /src/web/dist /usr/share/nginx/html
# GATEWAY_URL: scheme, host and port, no path. WEB_CONNECT_SRC: other origins the app may call
# (e.g. the identity provider for OpenID Connect sign-in), space separated.
ENV GATEWAY_URL=http://gateway:8100 \
    WEB_CONNECT_SRC=""
USER 101:101
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
    CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]
