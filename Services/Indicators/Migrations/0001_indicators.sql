-- Indicator sets: which indicators run on which series (symbol, timeframe).
CREATE TABLE indicator_sets (
    id            uuid     PRIMARY KEY,
    symbol        text     NOT NULL,
    timeframe     smallint NOT NULL,  -- the wire's Timeframe number (1 = 1m … 6 = 1d)
    specs         text     NOT NULL,  -- the indicators as written, space-separated: 'rsi:14 macd:12,26,9'
    anchor_ns     bigint   NOT NULL,  -- open time of the first bar the set's values are computed from
    created_at_ns bigint   NOT NULL
);
CREATE INDEX indicator_sets_series ON indicator_sets (symbol, timeframe);

-- One snapshot per closed bar of a series: every output of every indicator configured on it.
-- `payload` is the IndicatorSnapshot message as on the wire and the bus (exact doubles, no NaN handling).
CREATE TABLE snapshots (
    symbol       text             NOT NULL,
    timeframe    smallint         NOT NULL,
    open_time_ns bigint           NOT NULL,
    close        double precision NOT NULL,
    payload      bytea            NOT NULL,
    PRIMARY KEY (symbol, timeframe, open_time_ns)
);
CREATE INDEX snapshots_retention ON snapshots (open_time_ns);
