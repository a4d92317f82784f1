-- KalamDB's own DDL: users and a per-user table, impersonation by root.
CREATE USER user_alice WITH PASSWORD 'pw';
CREATE USER bot WITH PASSWORD 'pw' IN ROLE service;
CREATE TABLE inbox (id bigint PRIMARY KEY, body text) WITH (type = 'user', flush_rows = 1000);
SET ROLE user_alice;
SELECT current_user;
INSERT INTO inbox VALUES (1, 'hello from alice');
RESET ROLE;
SELECT current_user;
SELECT count(*) AS root_rows FROM inbox;
SELECT id, body FROM user_alice.inbox;
\set ON_ERROR_STOP 0
CREATE TABLE bad (id bigint PRIMARY KEY) WITH (colour = 'blue');
\set ON_ERROR_STOP 1
DROP TABLE inbox;
