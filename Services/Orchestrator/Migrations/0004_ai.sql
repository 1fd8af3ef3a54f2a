-- The AI layer: every model call with its tokens and cost (the ledger the daily budgets are read
-- from after a restart), and for a bot's decision what its LLM agent was shown and answered.
-- Neither refers to bots: a deleted bot's calls stay counted and its decisions stay explained.

CREATE TABLE ai_usage (
    id            bigserial PRIMARY KEY,
    day           integer  NOT NULL,  -- days since 1970-01-01, UTC: the budgets' day
    at_ms         bigint   NOT NULL,
    user_id       text     NOT NULL,
    bot_id        text     NOT NULL,  -- '' for calls not made for a bot (the assistant)
    provider      text     NOT NULL,
    model         text     NOT NULL,
    purpose       text     NOT NULL,  -- agent, assistant, news, ...
    input_tokens  integer  NOT NULL,
    output_tokens integer  NOT NULL,
    cost          numeric(20, 8) NOT NULL,  -- US dollars
    latency_ms    integer  NOT NULL,
    outcome       text     NOT NULL   -- ok, or the failure's code
);
CREATE INDEX ai_usage_user ON ai_usage (day, user_id);
CREATE INDEX ai_usage_bot ON ai_usage (day, bot_id);

CREATE TABLE decision_llm_calls (
    decision_id   uuid     PRIMARY KEY,
    bot_id        uuid     NOT NULL,
    provider      text     NOT NULL,
    model         text     NOT NULL,
    system_prompt text     NOT NULL,
    prompt        text     NOT NULL,
    response      text     NOT NULL,  -- the model's answer as received ('' when none came)
    input_tokens  integer  NOT NULL,
    output_tokens integer  NOT NULL,
    cost          numeric(20, 8) NOT NULL,
    latency_ms    integer  NOT NULL,
    outcome       text     NOT NULL,  -- voted, or why the agent abstained
    late          boolean  NOT NULL,  -- answered after the decision was taken: recorded, not acted on
    created_at_ns bigint   NOT NULL
);
CREATE INDEX decision_llm_calls_bot ON decision_llm_calls (bot_id, created_at_ns DESC);
