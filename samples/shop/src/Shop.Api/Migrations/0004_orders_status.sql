-- Order status and the payment that settles the order.
ALTER TABLE orders ADD COLUMN status VARCHAR(20) NOT NULL DEFAULT 'payment_pending';
ALTER TABLE orders ADD COLUMN payment_id VARCHAR(40) NULL;
CREATE INDEX ix_orders_status ON orders (status);
