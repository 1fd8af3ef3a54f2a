-- Backtests and optimisations as jobs: queued, run by a bounded pool (claimed with SKIP LOCKED, so
-- replicas share the queue), their progress and result summary in the payload. A done backtest's
-- full result (trades, every bar's equity) is in `backtests` under the job's id.

CREATE TABLE jobs (
    id            uuid    PRIMARY KEY,
    owner_id      text    NOT NULL,
    kind          text    NOT NULL CHECK (kind IN ('backtest', 'optimization')),
    status        text    NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    created_at_ns bigint  NOT NULL,
    payload       bytea   NOT NULL  -- PB.Job
);
CREATE INDEX jobs_owner ON jobs (owner_id, kind, created_at_ns DESC, id DESC);
CREATE INDEX jobs_queue ON jobs (created_at_ns, id) WHERE status = 'queued';
