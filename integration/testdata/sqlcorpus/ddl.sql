-- DDL on scratch tables and views; each entry drops what it created.

-- cleanup DROP TABLE IF EXISTS s_alter
CREATE TABLE s_alter (id bigint PRIMARY KEY, v text); INSERT INTO s_alter VALUES (1, 'a'), (2, 'b'); ALTER TABLE s_alter ADD COLUMN n integer DEFAULT 7; INSERT INTO s_alter (id, v) VALUES (3, 'c'); SELECT * FROM s_alter ORDER BY id; DROP TABLE s_alter;

-- cleanup DROP TABLE IF EXISTS s_alter2
CREATE TABLE s_alter2 (id bigint PRIMARY KEY, v text, extra text); INSERT INTO s_alter2 VALUES (1, 'a', 'x'); ALTER TABLE s_alter2 DROP COLUMN extra; SELECT * FROM s_alter2; DROP TABLE s_alter2;

-- cleanup DROP TABLE IF EXISTS s_alter3
CREATE TABLE s_alter3 (id bigint PRIMARY KEY, v text); INSERT INTO s_alter3 VALUES (1, 'a'); ALTER TABLE s_alter3 RENAME COLUMN v TO label; SELECT id, label FROM s_alter3; DROP TABLE s_alter3;

-- cleanup DROP TABLE IF EXISTS s_alter4
-- cleanup DROP TABLE IF EXISTS s_alter4b
CREATE TABLE s_alter4 (id bigint PRIMARY KEY); INSERT INTO s_alter4 VALUES (5); ALTER TABLE s_alter4 RENAME TO s_alter4b; SELECT * FROM s_alter4b; DROP TABLE s_alter4b;

-- cleanup DROP TABLE IF EXISTS s_alter5
CREATE TABLE s_alter5 (id bigint PRIMARY KEY, v text); INSERT INTO s_alter5 (id) VALUES (1); ALTER TABLE s_alter5 ALTER COLUMN v SET DEFAULT 'd'; INSERT INTO s_alter5 (id) VALUES (2); ALTER TABLE s_alter5 ALTER COLUMN v DROP DEFAULT; INSERT INTO s_alter5 (id) VALUES (3); SELECT * FROM s_alter5 ORDER BY id; DROP TABLE s_alter5;

-- cleanup DROP TABLE IF EXISTS s_alter6
CREATE TABLE s_alter6 (id bigint PRIMARY KEY, v text); INSERT INTO s_alter6 VALUES (1, 'a'); ALTER TABLE s_alter6 ALTER COLUMN v SET NOT NULL; ALTER TABLE s_alter6 ALTER COLUMN v DROP NOT NULL; INSERT INTO s_alter6 VALUES (2, NULL); SELECT * FROM s_alter6 ORDER BY id; DROP TABLE s_alter6;

-- DDL commits on its own in KalamDB and sees committed rows only, so
-- the rows it must check are inserted by an entry of their own first.
CREATE TABLE s_alter7 (id bigint PRIMARY KEY, v text); INSERT INTO s_alter7 VALUES (1, NULL);

-- cleanup DROP TABLE IF EXISTS s_alter7
-- error 23502
ALTER TABLE s_alter7 ALTER COLUMN v SET NOT NULL;

-- cleanup DROP TABLE IF EXISTS s_alter8
CREATE TABLE s_alter8 (id bigint PRIMARY KEY); INSERT INTO s_alter8 VALUES (1), (2); ALTER TABLE s_alter8 ADD COLUMN created timestamptz DEFAULT '2024-01-01 00:00:00+00', ADD COLUMN note text; SELECT * FROM s_alter8 ORDER BY id; DROP TABLE s_alter8;

-- cleanup DROP TABLE IF EXISTS s_idx
-- error 23505
CREATE TABLE s_idx (id bigint PRIMARY KEY, email text, n integer); CREATE UNIQUE INDEX s_idx_email ON s_idx (email); INSERT INTO s_idx VALUES (1, 'a@x', 1), (2, 'b@x', 2); INSERT INTO s_idx VALUES (3, 'a@x', 3);

-- cleanup DROP TABLE IF EXISTS s_idx2
CREATE TABLE s_idx2 (id bigint PRIMARY KEY, grp integer, ts integer); CREATE INDEX s_idx2_grp ON s_idx2 (grp, ts); INSERT INTO s_idx2 SELECT g, g % 3, g FROM generate_series(1, 30) g; SELECT id FROM s_idx2 WHERE grp = 1 ORDER BY ts DESC LIMIT 3; DROP INDEX s_idx2_grp; SELECT count(*) FROM s_idx2 WHERE grp = 2; DROP TABLE s_idx2;

CREATE TABLE s_idx3 (id bigint PRIMARY KEY, k text); INSERT INTO s_idx3 VALUES (1, 'x'), (2, 'y'), (3, 'x');

CREATE INDEX IF NOT EXISTS s_idx3_k ON s_idx3 (k);

-- cleanup DROP TABLE IF EXISTS s_idx3
SELECT id FROM s_idx3 WHERE k = 'x' ORDER BY id; UPDATE s_idx3 SET k = 'z' WHERE id = 1; SELECT id FROM s_idx3 WHERE k = 'x';

-- cleanup DROP VIEW IF EXISTS red_users
CREATE VIEW red_users AS SELECT id, name, age FROM users WHERE team = 'red'; SELECT * FROM red_users ORDER BY id; DROP VIEW red_users;

-- cleanup DROP VIEW IF EXISTS conv_stats
CREATE VIEW conv_stats AS SELECT conversation_id, count(*) AS n, max(created_at) AS last_at FROM messages GROUP BY conversation_id; SELECT c.title, s.n FROM conversations c JOIN conv_stats s ON s.conversation_id = c.id WHERE s.n > 4 ORDER BY c.id; DROP VIEW conv_stats;

-- cleanup DROP VIEW IF EXISTS v_named
CREATE VIEW v_named (uid, label) AS SELECT id, upper(name) FROM users WHERE id < 4; SELECT label FROM v_named WHERE uid > 1 ORDER BY uid; DROP VIEW v_named;

-- cleanup DROP VIEW IF EXISTS v_replace
CREATE VIEW v_replace AS SELECT 1 AS x; CREATE OR REPLACE VIEW v_replace AS SELECT 1 AS x, 2 AS y; SELECT * FROM v_replace; DROP VIEW v_replace;

-- cleanup DROP VIEW IF EXISTS v_live
-- cleanup DROP TABLE IF EXISTS s_view_base
CREATE TABLE s_view_base (id bigint PRIMARY KEY, v integer); CREATE VIEW v_live AS SELECT sum(v) AS total FROM s_view_base; INSERT INTO s_view_base VALUES (1, 10), (2, 5); SELECT * FROM v_live; DROP VIEW v_live; DROP TABLE s_view_base;

-- cleanup DROP VIEW IF EXISTS v_dup
-- error 42P07
CREATE VIEW v_dup AS SELECT 1 AS x; CREATE VIEW v_dup AS SELECT 2 AS x;

DROP VIEW IF EXISTS no_such_view;

-- cleanup DROP TABLE IF EXISTS s_ctas_like
CREATE TABLE s_ctas_like (id bigint PRIMARY KEY, doc jsonb, tags text[]); INSERT INTO s_ctas_like VALUES (1, '{"a": 1}', ARRAY['x', 'y']); SELECT id, doc -> 'a', tags[2], cardinality(tags) FROM s_ctas_like; DROP TABLE s_ctas_like;
