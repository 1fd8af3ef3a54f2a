-- Model answers by what was asked: a backtest asked again (another range, a re-run) costs
-- nothing for the bars it already asked about, and gives the same votes.
CREATE TABLE llm_cache (
    key           text   PRIMARY KEY,  -- SHA-256 (hex) of the model, the system prompt, the prompt and the answer schema
    model         text   NOT NULL,
    response      text   NOT NULL,     -- the answer as received (the vote's JSON)
    created_at_ns bigint NOT NULL
);
