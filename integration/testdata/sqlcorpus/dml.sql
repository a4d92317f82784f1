-- DML, each entry inside BEGIN ... ROLLBACK (or on its own scratch table),
-- so the loaded data stays the same for every other entry.

-- rollback
INSERT INTO users (id, name, team, age) VALUES (100, 'new', 'red', 33) RETURNING id, name, team, age, score;

-- rollback
INSERT INTO users (id, name) VALUES (101, 'a'), (102, 'b'); SELECT id, name, team FROM users WHERE id > 100 ORDER BY id;

-- rollback
INSERT INTO users (id, name, team, age) SELECT id + 100, name || '_copy', team, age FROM users WHERE team = 'red'; SELECT id, name FROM users WHERE id > 100 ORDER BY id;

-- rollback
INSERT INTO users (id, name) SELECT 200 + g, 'gen' || g FROM generate_series(1, 3) g RETURNING id, name;

-- rollback
INSERT INTO users (id, name) VALUES (1, 'dup') ON CONFLICT (id) DO NOTHING; SELECT id, name FROM users WHERE id = 1;

-- rollback
INSERT INTO users (id, name) VALUES (1, 'dup'), (300, 'fresh') ON CONFLICT (id) DO NOTHING RETURNING id, name;

-- rollback
INSERT INTO users (id, name, age) VALUES (2, 'renamed', 99) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, age = users.age + EXCLUDED.age RETURNING id, name, age;

-- rollback
INSERT INTO users (id, name, age) VALUES (3, 'x', 1), (4, 'y', 2) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name WHERE users.team = 'blue' RETURNING id, name;

-- rollback
INSERT INTO members (conversation_id, user_id, role) VALUES (1, 1, 'admin') ON CONFLICT (conversation_id, user_id) DO UPDATE SET role = EXCLUDED.role || '/' || members.role; SELECT * FROM members WHERE conversation_id = 1 AND user_id = 1;

-- rollback
INSERT INTO users (id, name) VALUES (400, 'n') ON CONFLICT DO NOTHING RETURNING *;

-- rollback
UPDATE users SET age = age + 1 WHERE team = 'red' RETURNING id, age;

-- rollback
UPDATE users SET team = NULL, score = score * 2 WHERE id IN (1, 2) RETURNING *;

-- rollback
UPDATE users u SET team = c.kind FROM conversations c WHERE c.created_by = u.id AND c.id < 4; SELECT id, team FROM users ORDER BY id;

-- rollback
UPDATE users SET score = s.total FROM (SELECT author_id, sum(tokens) AS total FROM messages GROUP BY author_id) s WHERE s.author_id = users.id RETURNING users.id, users.score, s.total;

-- rollback
UPDATE conversations SET title = title || ' by ' || u.name FROM users u WHERE u.id = conversations.created_by AND conversations.kind = 'ai' RETURNING conversations.id, title;

-- rollback
UPDATE messages m SET tokens = 0 FROM conversations c WHERE c.id = m.conversation_id AND c.kind = 'direct'; SELECT conversation_id, sum(tokens) FROM messages GROUP BY 1 ORDER BY 1;

-- rollback
UPDATE users SET age = 0 WHERE false RETURNING id;

-- rollback
DELETE FROM messages WHERE conversation_id = 1 RETURNING id, body;

-- rollback
DELETE FROM members USING users WHERE users.id = members.user_id AND users.team = 'red'; SELECT count(*) FROM members;

-- rollback
DELETE FROM messages m USING conversations c WHERE c.id = m.conversation_id AND c.kind = 'ai' RETURNING m.conversation_id, m.id, c.title;

-- rollback
DELETE FROM users u USING (VALUES (3), (5)) AS d(id) WHERE u.id = d.id; SELECT id FROM users ORDER BY id;

-- rollback
DELETE FROM users WHERE id NOT IN (SELECT created_by FROM conversations) RETURNING id;

-- rollback
DELETE FROM users WHERE id > 1000;

-- rollback
UPDATE users SET name = upper(name) WHERE id = 1; SAVEPOINT s1; UPDATE users SET name = 'lost' WHERE id = 1; ROLLBACK TO SAVEPOINT s1; SELECT name FROM users WHERE id = 1;

-- rollback
SAVEPOINT a; INSERT INTO users (id, name) VALUES (500, 'kept'); RELEASE SAVEPOINT a; SAVEPOINT b; INSERT INTO users (id, name) VALUES (501, 'dropped'); ROLLBACK TO b; SELECT id, name FROM users WHERE id >= 500 ORDER BY id;

-- rollback
SAVEPOINT a; DELETE FROM members; SAVEPOINT b; DELETE FROM users; ROLLBACK TO a; SELECT (SELECT count(*) FROM members), (SELECT count(*) FROM users);

-- rollback
-- error 23505
INSERT INTO users (id, name) VALUES (600, 'x'); SAVEPOINT s; INSERT INTO users (id, name) VALUES (600, 'dup');

-- TRUNCATE commits on its own in KalamDB (DDL), so it runs as its own
-- statement; these entries share the scratch table in order.
CREATE TABLE scratch_trunc (id bigint PRIMARY KEY, v text); INSERT INTO scratch_trunc VALUES (1, 'a'), (2, 'b');

TRUNCATE scratch_trunc;

SELECT count(*) FROM scratch_trunc;

-- cleanup DROP TABLE IF EXISTS scratch_trunc
INSERT INTO scratch_trunc VALUES (1, 'again') RETURNING *; DROP TABLE scratch_trunc;

CREATE TABLE scratch_trunc2 (id bigint PRIMARY KEY); INSERT INTO scratch_trunc2 SELECT g FROM generate_series(1, 10) g;

TRUNCATE TABLE scratch_trunc2;

-- cleanup DROP TABLE IF EXISTS scratch_trunc2
SELECT count(*) FROM scratch_trunc2; DROP TABLE scratch_trunc2;

-- rollback
WITH moved AS (DELETE FROM messages WHERE conversation_id = 2 RETURNING id) SELECT count(*) FROM moved;

-- rollback
INSERT INTO conversations (id, title, kind, created_by, created_at) VALUES (50, 'fresh', 'ai', 1, '2024-05-01 00:00:00+00') RETURNING id, title, kind, created_at;

-- rollback
UPDATE messages SET meta = jsonb_set(meta, '{lang}', '"es"') WHERE conversation_id = 4 AND id <= 2 RETURNING id, meta;

-- rollback
UPDATE users SET (name, age) = ('pair', 50) WHERE id = 6 RETURNING id, name, age;

-- rollback
INSERT INTO users (id, name, created_at) VALUES (700, 'ts', '2024-06-01 12:00:00+02') RETURNING created_at, created_at AT TIME ZONE 'UTC';

-- rollback
INSERT INTO users (id, name, age) VALUES (800, 'dflt', DEFAULT) RETURNING id, age, score IS NULL;

-- cleanup DROP TABLE IF EXISTS scratch_char
CREATE TABLE scratch_char (id int PRIMARY KEY, c char(4), v varchar(3)); INSERT INTO scratch_char VALUES (1, 'ab', 'x  '), (2, 'abcd  ', 'yy'); SELECT id, c || '|', c, v || '|', length(c), octet_length(c) FROM scratch_char ORDER BY id; DROP TABLE scratch_char;

-- error 22001
-- cleanup DROP TABLE IF EXISTS scratch_char2
CREATE TABLE scratch_char2 (c char(2)); INSERT INTO scratch_char2 VALUES ('abc');

-- cleanup DROP TABLE IF EXISTS scratch_char3
CREATE TABLE scratch_char3 (c char(3), t text); INSERT INTO scratch_char3 VALUES ('a', 'a'), ('b ', 'b  '); SELECT c = 'a', c = t, t = c::text, c = 'b' FROM scratch_char3 ORDER BY t; DROP TABLE scratch_char3;

-- cleanup DROP TABLE IF EXISTS scratch_char4
CREATE TABLE scratch_char4 (id int, c char(4), v varchar(3)); INSERT INTO scratch_char4 SELECT 1, 'ab'::text, 'xy   '::text; UPDATE scratch_char4 SET c = c || 'z'; SELECT c || '|', octet_length(c), v || '|' FROM scratch_char4; DROP TABLE scratch_char4;

-- error 22001
-- cleanup DROP TABLE IF EXISTS scratch_char5
CREATE TABLE scratch_char5 (c varchar(2)); INSERT INTO scratch_char5 SELECT 'abc'::text;

-- DDL inside a multi-statement query sees the writes before it.
-- cleanup DROP TABLE IF EXISTS scratch_ddltx1
CREATE TABLE scratch_ddltx1 (id int PRIMARY KEY, c text); INSERT INTO scratch_ddltx1 VALUES (1, 'a'), (2, 'b'); TRUNCATE scratch_ddltx1; SELECT count(*) FROM scratch_ddltx1; DROP TABLE scratch_ddltx1;

-- cleanup DROP TABLE IF EXISTS scratch_ddltx2
CREATE TABLE scratch_ddltx2 (id int PRIMARY KEY, c text); INSERT INTO scratch_ddltx2 VALUES (1, 'a'), (2, 'b'); ALTER TABLE scratch_ddltx2 ALTER c SET NOT NULL; INSERT INTO scratch_ddltx2 VALUES (3, 'c'); SELECT id, c FROM scratch_ddltx2 ORDER BY id; DROP TABLE scratch_ddltx2;

-- cleanup DROP TABLE IF EXISTS scratch_ddltx3
CREATE TABLE scratch_ddltx3 (id int PRIMARY KEY, c text); INSERT INTO scratch_ddltx3 VALUES (1, 'a'), (2, 'b'); UPDATE scratch_ddltx3 SET c = 'z' WHERE id = 1; CREATE INDEX ON scratch_ddltx3 (c); SELECT id, c FROM scratch_ddltx3 WHERE c = 'z'; DROP TABLE scratch_ddltx3;

-- cleanup DROP TABLE IF EXISTS scratch_ddltx4
CREATE TABLE scratch_ddltx4 (id int PRIMARY KEY, c text); INSERT INTO scratch_ddltx4 VALUES (1, 'a'), (2, 'b'); ALTER TABLE scratch_ddltx4 ADD COLUMN d int DEFAULT 5; UPDATE scratch_ddltx4 SET d = 6 WHERE id = 2; ALTER TABLE scratch_ddltx4 DROP COLUMN c; SELECT * FROM scratch_ddltx4 ORDER BY id; DROP TABLE scratch_ddltx4;


-- rollback
WITH up AS (UPDATE users SET age = age + 1 WHERE id < 4 RETURNING id, age), ins AS (INSERT INTO users (id, name) VALUES (900, 'new') RETURNING id, name) SELECT u.id, u.age, i.name FROM up u, ins i ORDER BY u.id;

-- rollback
WITH d AS (DELETE FROM users WHERE id = 9) SELECT count(*) FROM users WHERE id = 9;

-- error 0A000
WITH d AS (DELETE FROM users WHERE id = 9) SELECT * FROM d;

-- error 0A000
SELECT * FROM (WITH d AS (DELETE FROM users WHERE id = 9 RETURNING id) SELECT * FROM d) s;
