FROM python:3.11-slim

# A CJK font so that charts can label units and posts in Chinese.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 dutybot
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
RUN pip install --no-cache-dir . \
    && mkdir -p /app/data \
    && chown dutybot:dutybot /app/data

USER dutybot
ENV PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite+aiosqlite:////app/data/dutybot.db
VOLUME ["/app/data"]
ENTRYPOINT ["dutybot"]
CMD ["run"]
