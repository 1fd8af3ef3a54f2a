-- Money is exact fixed-point: bigint units of 10^-8 (TradingCore's FixedDecimal). Zero turns a limit off.

-- Limits per account; the row '*' holds the defaults for accounts without their own.
CREATE TABLE limits (
    account_id            text             PRIMARY KEY,
    max_position_notional bigint           NOT NULL,
    max_open_positions    integer          NOT NULL,
    daily_loss_limit      bigint           NOT NULL,
    max_drawdown          double precision NOT NULL,  -- a fraction of peak equity: 0.25 = 25 %
    max_order_notional    bigint           NOT NULL,
    max_leverage          double precision NOT NULL,
    updated_at_ns         bigint           NOT NULL
);

-- The platform-wide kill switch: one row.
CREATE TABLE kill_switch (
    id            smallint PRIMARY KEY CHECK (id = 1),
    engaged       boolean  NOT NULL,
    reason        text     NOT NULL,
    changed_by    text     NOT NULL,
    changed_at_ns bigint   NOT NULL
);
INSERT INTO kill_switch VALUES (1, false, '', '', 0);

-- Refusals and switch changes, newest last.
CREATE TABLE alerts (
    id         uuid     PRIMARY KEY,
    account_id text     NOT NULL,
    severity   smallint NOT NULL,  -- the wire's AlertSeverity number
    rule       text     NOT NULL,
    message    text     NOT NULL,
    ts_ns      bigint   NOT NULL
);
CREATE INDEX alerts_time ON alerts (ts_ns);
