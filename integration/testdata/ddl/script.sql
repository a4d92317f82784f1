-- Schemas and tables the way a psql user writes them.
CREATE SCHEMA shop;
CREATE SCHEMA IF NOT EXISTS shop;
CREATE TABLE shop.products (
    sku text PRIMARY KEY,
    name varchar(40) NOT NULL,
    price numeric NOT NULL DEFAULT 0,
    stock integer DEFAULT 10,
    active boolean DEFAULT true
);
CREATE TABLE IF NOT EXISTS shop.products (sku text PRIMARY KEY);
CREATE TABLE shop.lines (order_id bigint, line smallint, sku text NOT NULL, qty integer, PRIMARY KEY (order_id, line));
INSERT INTO shop.products (sku, name) VALUES ('a-1', 'Anvil');
INSERT INTO shop.lines VALUES (1, 1, 'a-1', 2), (1, 2, 'a-1', 1);
SELECT sku, name, price, stock, active FROM shop.products;
SELECT order_id, line, qty FROM shop.lines ORDER BY line;
DROP TABLE shop.lines;
DROP TABLE IF EXISTS shop.lines;
DROP TABLE shop.products;
DROP SCHEMA shop;
SELECT 'ddl done' AS status;
