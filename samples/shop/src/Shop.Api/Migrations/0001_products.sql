-- Products and the seed catalogue (10 products).
CREATE TABLE products (
    id {{id}},
    sku VARCHAR(32) NOT NULL UNIQUE,
    name VARCHAR(200) NOT NULL,
    description TEXT NOT NULL,
    price_cents BIGINT NOT NULL CHECK (price_cents >= 0),
    stock INTEGER NOT NULL CHECK (stock >= 0)
);

INSERT INTO products (sku, name, description, price_cents, stock) VALUES
    ('MUG-001', 'Enamel mug', 'A 350 ml enamel camping mug.', 1290, 100000),
    ('TEE-002', 'Organic T-shirt', 'Unisex organic cotton T-shirt, navy.', 2450, 100000),
    ('BAG-003', 'Canvas tote bag', 'Heavy canvas tote with inner pocket.', 1800, 100000),
    ('NBK-004', 'Dot-grid notebook', 'A5 notebook, 160 pages, dot grid.', 1150, 100000),
    ('PEN-005', 'Fountain pen', 'Steel nib fountain pen, medium.', 3900, 100000),
    ('LMP-006', 'Desk lamp', 'Adjustable LED desk lamp, warm white.', 5400, 100000),
    ('BTL-007', 'Water bottle', 'Insulated steel bottle, 750 ml.', 2990, 100000),
    ('HDP-008', 'Headphones', 'Closed-back wired headphones.', 8900, 100000),
    ('PLT-009', 'Plant pot', 'Glazed ceramic pot, 15 cm.', 1475, 100000),
    ('KEY-010', 'Mechanical keyboard', 'Tenkeyless keyboard, tactile switches.', 11900, 100000);
