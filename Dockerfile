# syntax=docker/dockerfile:1
# updraft's image: `docker build -t updraft .`, then see docs/operating.md, "Deploy on Kubernetes".
# No Docker engine runs in CI: test/deploy/dockerfile.test.ts replays this file's install and start
# steps (the deps stage's `npm ci`, the COPY layout, ENV, ENTRYPOINT + CMD) in a temp folder.

ARG NODE_IMAGE=node:20-bookworm-slim

# Production dependencies only. esbuild (bundles the CLI at its first start into a private folder
# of /tmp, and transforms DAG modules) and tsx (the CLI's fallback when that bundle cannot be made)
# are runtime dependencies, so they are installed here: there is no build step.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
# git and ssh: the mirror shells out to git (https and ssh remotes). tini as PID 1 forwards SIGTERM
# and reaps processes that git and task commands leave behind.
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates git openssh-client tini \
  && rm -rf /var/lib/apt/lists/*
# A numeric, non-root user, so that Kubernetes' runAsNonRoot can verify it.
RUN groupadd --gid 10001 updraft \
  && useradd --uid 10001 --gid 10001 --home-dir /home/updraft --create-home --shell /usr/sbin/nologin updraft \
  && mkdir -p /var/lib/updraft \
  && chown 10001:10001 /var/lib/updraft
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
ENV UPDRAFT_HOST=0.0.0.0 \
    UPDRAFT_PORT=8080 \
    UPDRAFT_STATE_DIR=/var/lib/updraft \
    HOME=/home/updraft
VOLUME ["/var/lib/updraft"]
USER 10001:10001
EXPOSE 8080
# Probes (/healthz, /readyz) replace a HEALTHCHECK. `docker run IMAGE check /dags` runs another command.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--max-semi-space-size=2", "bin/updraft.mjs"]
CMD ["run"]
