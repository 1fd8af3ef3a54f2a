-- Users' saved strategy documents, every version kept (a bot runs the version it was made with).

CREATE TABLE strategies (
    id            uuid     NOT NULL,
    version       integer  NOT NULL CHECK (version >= 1),
    owner_id      text     NOT NULL,
    created_at_ns bigint   NOT NULL,
    payload       bytea    NOT NULL,  -- PB.SavedStrategy
    PRIMARY KEY (id, version)
);
CREATE INDEX strategies_owner ON strategies (owner_id, id, version DESC);
