-- Closed candles, one row per (symbol, timeframe, period). Corrections update the row in place.
CREATE TABLE candles (
    symbol       text             NOT NULL,
    timeframe    smallint         NOT NULL,  -- the wire's Timeframe number (1 = 1m … 6 = 1d)
    open_time_ns bigint           NOT NULL,
    open         double precision NOT NULL,
    high         double precision NOT NULL,
    low          double precision NOT NULL,
    close        double precision NOT NULL,
    volume       double precision NOT NULL,
    trade_count  bigint           NOT NULL,
    source       text             NOT NULL,  -- 'live' (built here) or the feed a backfill came from
    updated_at   timestamptz      NOT NULL DEFAULT now(),
    PRIMARY KEY (symbol, timeframe, open_time_ns),
    CHECK (low > 0 AND low <= open AND low <= close AND high >= open AND high >= close AND volume >= 0)
);
-- Range queries and paging walk the primary key; retention deletes by timeframe and time.
CREATE INDEX candles_retention ON candles (timeframe, open_time_ns);
