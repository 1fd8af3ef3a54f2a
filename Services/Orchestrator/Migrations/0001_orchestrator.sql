-- Bots, their decisions, backtest results and chat conversations. Messages are stored as their
-- protobuf bytes (payload) beside the columns queries filter and order on.

CREATE TABLE bots (
    id              uuid     PRIMARY KEY,
    owner_id        text     NOT NULL,
    request_id      text     NOT NULL,  -- CreateBot's idempotency key ('' when none)
    desired_running boolean  NOT NULL,
    created_at_ns   bigint   NOT NULL,
    payload         bytea    NOT NULL   -- PB.Bot
);
CREATE UNIQUE INDEX bots_request ON bots (owner_id, request_id) WHERE request_id <> '';
CREATE INDEX bots_owner ON bots (owner_id, created_at_ns DESC, id DESC);

-- One decision per bot and closed bar: a second instance (or a replayed snapshot) cannot act twice.
CREATE TABLE decisions (
    id                  uuid    PRIMARY KEY,
    bot_id              uuid    NOT NULL REFERENCES bots (id) ON DELETE CASCADE,
    candle_open_time_ns bigint  NOT NULL,
    created_at_ns       bigint  NOT NULL,
    payload             bytea   NOT NULL,  -- PB.Decision
    UNIQUE (bot_id, candle_open_time_ns)
);
CREATE INDEX decisions_bot ON decisions (bot_id, created_at_ns DESC, id DESC);

CREATE TABLE backtests (
    id            uuid   PRIMARY KEY,
    created_at_ns bigint NOT NULL,
    payload       bytea  NOT NULL  -- PB.BacktestResult
);

CREATE TABLE chat_messages (
    conversation_id uuid     NOT NULL,
    seq             integer  NOT NULL,
    user_id         text     NOT NULL,
    role            text     NOT NULL CHECK (role IN ('user', 'assistant')),
    content         text     NOT NULL,
    ts_ns           bigint   NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);
