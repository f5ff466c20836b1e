# attune: one stateless bot instance. Build: docker build -t attune .
# State lives in MongoDB (MONGODB_URI) and queues in Redis (REDIS_URL); see docs/deploy-azure.md.

# --- build: compile TypeScript with the dev dependencies ----------------------------------------
FROM node:20.19-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# --- runtime: production dependencies, compiled code, models, copy and pages only -----------------
FROM node:20.19-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=3978 HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# Read at start from the project root (core/project-root.ts): trained models, .lg copy, web pages,
# and the NLU data the intent model is retrained from if its file is ever missing.
COPY models ./models
COPY content ./content
COPY web ./web
COPY nlu/data ./nlu/data
# The embedded store (only without MONGODB_URI) writes here; the image runs as the unprivileged node user.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3978
# Liveness only: readiness (/readyz, storage reachable) is for the load balancer, not for restarts.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3978)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# exec form: node is PID 1 and gets SIGTERM itself, so in-flight turns finish before it exits.
CMD ["node", "dist/index.js"]
