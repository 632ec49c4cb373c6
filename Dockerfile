# One image for all four services; SERVICE picks the entry point (docker-compose.yml sets it).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/proto ./proto
COPY package.json ./
RUN mkdir -p /data && chown node:node /data
USER node
# 8080 HTTP; 9090 gRPC (decision)
EXPOSE 8080 9090
# standalone | policy-admin | decision | device-intelligence | audit
ENV SERVICE=standalone
CMD ["sh", "-c", "exec node dist/apps/$SERVICE/src/main.js"]
