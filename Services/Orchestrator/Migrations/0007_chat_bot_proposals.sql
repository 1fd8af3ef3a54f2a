-- A bot the chat assistant proposed and the user has not yet confirmed: one per conversation.
-- The user's next message decides: a confirmation creates the bot, anything else drops the row.
CREATE TABLE chat_bot_proposals (
    conversation_id uuid   PRIMARY KEY,
    user_id         text   NOT NULL,
    name            text   NOT NULL,
    symbol          text   NOT NULL,
    timeframe       text   NOT NULL,
    document        text   NOT NULL,  -- the strategy document, validated when proposed
    summary         text   NOT NULL,  -- what the user was asked to confirm
    created_at_ns   bigint NOT NULL
);
