# syntax=docker/dockerfile:1
# Build: docker build -t agora .    Run: docker run -e DISCORD_TOKEN=… -v agora-data:/app/data agora
# With PostgreSQL: docker compose up (compose.yaml). The image holds the binary, the bank with
# the paper (questions/, questions/paper/ for /source) and config/; it runs as the user agora.
FROM rust:1-slim-bookworm AS build
WORKDIR /src
# jemalloc, the bot's allocator, builds from C with make (the slim image has only the compiler).
RUN apt-get update && apt-get install -y --no-install-recommends make && rm -rf /var/lib/apt/lists/*
# Dependencies first, in their own layer: only a change to Cargo.toml/Cargo.lock rebuilds them.
# .cargo/config.toml carries jemalloc's settings into its build.
COPY Cargo.toml Cargo.lock ./
COPY .cargo .cargo
RUN mkdir -p src benches && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && echo 'fn main() {}' > benches/judge.rs && echo 'fn main() {}' > benches/store.rs \
    && echo 'fn main() {}' > benches/discord.rs \
    && cargo build --release --locked --bin agora && rm -rf src benches
COPY build.rs ./
COPY src src
COPY migrations migrations
COPY benches benches
RUN touch src/main.rs src/lib.rs && cargo build --release --locked --bin agora

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /app agora
WORKDIR /app
COPY --from=build /src/target/release/agora /usr/local/bin/agora
COPY questions questions
COPY config config
RUN mkdir -p data && chown agora:agora data
USER agora
VOLUME ["/app/data"]
ENTRYPOINT ["agora"]
CMD ["serve"]
