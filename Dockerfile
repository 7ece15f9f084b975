# syntax=docker/dockerfile:1
# lifeboat's container image. You build it; none is published from here (the machines this
# project is developed on cannot pull base images or run docker). docs/container.md has the
# whole story:
#   docker build -t lifeboat .                     # the service (API and worker): the default target
#   docker build --target repl -t lifeboat-repl .  # the on-call REPL, with its TypeScript compiler
#
# Every RUN, CMD and HEALTHCHECK line is a command that test/e2e/production-install.test.ts runs
# (from an `npm pack` in a temporary folder); test/unit/dockerfile.test.ts keeps the two in step,
# through test/support/production-install.ts.

ARG NODE_IMAGE=node:22-bookworm-slim

# --- build: compile and pack (npm pack runs `npm run build` first: dist/ and the dashboard) ---
FROM ${NODE_IMAGE} AS build
WORKDIR /build/lifeboat
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json tsconfig.types.json README.md ./
COPY src ./src
COPY repl ./repl
COPY models ./models
COPY runbooks ./runbooks
COPY docs ./docs
RUN npm pack --pack-destination ..

# --- app: the packed files and the service's dependencies, nothing else ---------------------
# No compiler, no sources, no native addon, no install script (see docs/container.md).
FROM ${NODE_IMAGE} AS app
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /build/lifeboat-*.tgz /build/lifeboat/package-lock.json ./
RUN tar -xzf lifeboat-*.tgz --strip-components=1 && rm lifeboat-*.tgz
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --omit=optional --no-audit --no-fund

# --- repl: the on-call REPL; what on-call types is TypeScript, compiled by ts-node ----------
#   docker run -it --rm --env-file lifeboat.env lifeboat-repl
FROM app AS repl
RUN --mount=type=cache,target=/root/.npm npm install --prefix /opt/lifeboat-repl --no-audit --no-fund ts-node@10.9.2 typescript@5.9.3
ENV NODE_PATH=/opt/lifeboat-repl/node_modules
USER node
CMD ["node", "dist/src/app/repl-main.js"]

# --- service (the default target): the API and a worker in one process ----------------------
# The other entry points are commands of the same image:
#   node dist/src/app/api-main.js      the API alone
#   node dist/src/app/worker-main.js   a worker alone (run as many as you like)
#   node dist/src/app/cli-bin.js       the CLI (a client of the API)
#   node dist/src/app/token-main.js    makes an API token
FROM app AS service
ENV HOST=0.0.0.0 PORT=8080
EXPOSE 8080
USER node
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/app/main.js"]
