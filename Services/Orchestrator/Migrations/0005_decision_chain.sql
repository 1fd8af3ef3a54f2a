-- Decisions become an append-only record hash-chained per bot: each keeps its number in the bot's
-- chain and SHA-256(previous hash ‖ the decision as taken ‖ its LLM call as answered), so a changed
-- or deleted decision breaks the chain (`tradewind audit decisions`). Deleting a bot keeps them.
ALTER TABLE decisions DROP CONSTRAINT decisions_bot_id_fkey;
ALTER TABLE decisions ADD COLUMN seq bigint, ADD COLUMN hash bytea;
CREATE UNIQUE INDEX decisions_chain ON decisions (bot_id, seq);

-- An answer that came after its decision was taken is kept beside the one hashed with it.
ALTER TABLE decision_llm_calls ADD COLUMN late_response text, ADD COLUMN late_latency_ms integer;
