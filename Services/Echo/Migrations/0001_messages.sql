-- Every text echoed, so that the example exercises the whole host: RPC in, Postgres, bus out.
CREATE TABLE messages (
    id bigserial PRIMARY KEY,
    text text NOT NULL,
    peer text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
