-- Money, prices and quantities are exact fixed-point values: bigint units of 10^-8 (TradingCore's FixedDecimal).

-- Trading accounts. Paper accounts keep one cash balance in their currency.
CREATE TABLE accounts (
    id            uuid     PRIMARY KEY,
    owner_id      text     NOT NULL,
    mode          smallint NOT NULL,  -- the wire's AccountMode number (1 = paper)
    broker        text     NOT NULL,
    currency      text     NOT NULL,
    cash          bigint   NOT NULL,
    realized_pnl  bigint   NOT NULL DEFAULT 0,  -- net of fees, every closed quantity so far
    created_at_ns bigint   NOT NULL
);
CREATE INDEX accounts_owner ON accounts (owner_id);

-- Orders, the message as on the wire (fills included); the columns are what queries select on.
CREATE TABLE orders (
    id              uuid     PRIMARY KEY,
    account_id      uuid     NOT NULL REFERENCES accounts (id),
    client_order_id text     NOT NULL,
    symbol          text     NOT NULL,
    status          smallint NOT NULL,  -- the wire's OrderStatus number
    exit_reason     text     NOT NULL,  -- what a closing fill of this order calls the trade: signal, manual, stop_loss, take_profit
    created_at_ns   bigint   NOT NULL,
    payload         bytea    NOT NULL,
    UNIQUE (account_id, client_order_id)  -- idempotent submits
);
CREATE INDEX orders_account ON orders (account_id, created_at_ns DESC);
CREATE INDEX orders_working ON orders (symbol) WHERE status IN (1, 2);

CREATE TABLE fills (
    id         uuid   PRIMARY KEY,
    order_id   uuid   NOT NULL REFERENCES orders (id),
    account_id uuid   NOT NULL,
    ts_ns      bigint NOT NULL,
    payload    bytea  NOT NULL
);
CREATE INDEX fills_account ON fills (account_id, ts_ns);

-- One row per account and symbol ever traded; quantity 0 when flat.
CREATE TABLE positions (
    account_id    uuid   NOT NULL REFERENCES accounts (id),
    symbol        text   NOT NULL,
    quantity      bigint NOT NULL,  -- signed: positive long, negative short
    average_price bigint NOT NULL,
    realized_pnl  bigint NOT NULL,
    open_fees     bigint NOT NULL,  -- entry fees of the open quantity, charged to the trades that close it
    stop_loss     bigint NOT NULL,  -- 0: none
    take_profit   bigint NOT NULL,  -- 0: none
    bot_id        text   NOT NULL,
    opened_at_ns  bigint NOT NULL,
    updated_at_ns bigint NOT NULL,
    PRIMARY KEY (account_id, symbol)
);

-- Round trips: each (partial) close of a position.
CREATE TABLE trades (
    id           uuid   PRIMARY KEY,
    account_id   uuid   NOT NULL REFERENCES accounts (id),
    symbol       text   NOT NULL,
    bot_id       text   NOT NULL,
    closed_at_ns bigint NOT NULL,
    payload      bytea  NOT NULL
);
CREATE INDEX trades_account ON trades (account_id, closed_at_ns);

-- Equity over time, for P&L curves, drawdown and Sharpe.
CREATE TABLE equity_samples (
    account_id uuid   NOT NULL REFERENCES accounts (id),
    ts_ns      bigint NOT NULL,
    equity     bigint NOT NULL,
    PRIMARY KEY (account_id, ts_ns)
);
