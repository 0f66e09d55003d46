FROM python:3.11-slim

RUN useradd --create-home --uid 10001 dutybot
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
# The CJK font the charts need comes with the mplfonts dependency (Noto Sans CJK SC), so the
# image needs no system font package.
RUN pip install --no-cache-dir . \
    && mkdir -p /app/data && chown -R dutybot:dutybot /app/data

USER dutybot
ENV PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite+aiosqlite:////app/data/dutybot.db
VOLUME ["/app/data"]
# The webhook (WEBHOOK_PORT) and the live board (BOARD_PORT) at their defaults; polling needs none.
EXPOSE 8443 8080
ENTRYPOINT ["dutybot"]
CMD ["run"]
