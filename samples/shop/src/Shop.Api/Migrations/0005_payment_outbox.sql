-- The payment outbox: POST /orders writes one row per order in the order's own transaction; the payment
-- worker submits it to payments (with the row's idempotency key) and marks it sent.
CREATE TABLE payment_outbox (
    id {{id}},
    order_id BIGINT NOT NULL UNIQUE REFERENCES orders (id) ON DELETE CASCADE,
    idempotency_key VARCHAR(64) NOT NULL UNIQUE,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at {{timestamp}} NOT NULL,
    sent_at {{timestamp}} NULL
);

CREATE INDEX ix_payment_outbox_sent_at ON payment_outbox (sent_at);
