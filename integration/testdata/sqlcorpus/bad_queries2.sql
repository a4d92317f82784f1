-- More intentionally bad queries: each must fail with PostgreSQL's SQLSTATE.

-- error 22012
SELECT 1 / 0;

-- error 22012
SELECT 1.5 / 0;

-- error 22012
SELECT 5 % 0;

-- error 22003
SELECT 2147483647 + 1;

-- error 22003
SELECT 9223372036854775807::bigint * 2;

-- error 22P02
SELECT 'abc'::integer;

-- error 22008
SELECT '2024-02-30'::date;

-- error 22P02
SELECT '{"a":'::jsonb;

-- error 22P02
SELECT 'maybe'::boolean;

-- error 22003
SELECT 100000::smallint;

-- error 2201F
SELECT sqrt(-1);

-- error 22P02
SELECT 'x' + 1;

-- error 42804
SELECT id FROM users WHERE name;

-- error 42883
SELECT lower(1, 2);

-- error 22023
SELECT split_part('a,b', ',', 0);

-- error 22023
SELECT date_trunc('fortnight', now());

-- error 2201B
SELECT regexp_replace('a', '(', 'b');

-- error 22023
SELECT format('%s %s', 'only one');

-- error 22023
SELECT format('%x', 1);

-- error 42703
SELECT '{"a": 1}'::jsonb -> 1 -> 'x' ->> nosuch FROM users;

-- error 22023
SELECT jsonb_array_length('{"a": 1}');

-- error 22P02
SELECT jsonb_set('{"a": 1}', '{a}', 'not json');

-- error 22P02
SELECT ARRAY[1, 'x'];

-- error 22P02
SELECT make_interval(days => 'x');

-- error 22P02
SELECT to_timestamp('nope');

-- error 42883
SELECT age(1);

-- error 22023
SELECT now() AT TIME ZONE 'Mars/Base';

-- error 42803
SELECT name FROM users GROUP BY team;

-- error 42883
SELECT sum(name) FROM users;

-- error 42702
SELECT id FROM users u JOIN conversations c ON c.created_by = u.id WHERE id = 1;

-- error 21000
SELECT * FROM users WHERE id = (SELECT id FROM users WHERE id < 3);

-- error 42804
SELECT id FROM users UNION SELECT name FROM users;

-- error 23505
INSERT INTO users (id, name) VALUES (1, 'dup');

-- error 23502
INSERT INTO users (id) VALUES (999);

-- error 42703
INSERT INTO users (id, name, nosuch) VALUES (999, 'x', 1);

-- error 42703
UPDATE users SET nosuch = 1;

-- error 42P01
DELETE FROM nosuch_table;

-- error 42P10
INSERT INTO users (id, name) VALUES (1, 'x') ON CONFLICT (name) DO NOTHING;

-- error 42703
UPDATE users SET name = 'x' FROM conversations c WHERE c.nope = users.id;

-- error 42P01
SELECT * FROM no_such_view;

-- error 42P01
DROP VIEW no_such_view;

-- error 42P07
CREATE TABLE users (id bigint);

-- error 42703
ALTER TABLE users DROP COLUMN nope;

-- error 42703
ALTER TABLE users RENAME COLUMN nope TO x;

-- error 42P01
CREATE INDEX ON nosuch (x);

-- error 42704
DROP INDEX no_such_index;

-- error 25P01
ROLLBACK TO SAVEPOINT nowhere;

-- error 42703
SELECT id, row_number() OVER (ORDER BY nope) FROM users;

-- error 0A000
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t ORDER BY 1) SELECT * FROM t;

-- error 22P02
SELECT * FROM users LIMIT 'x';

-- error 22023
SELECT jsonb_each('[1]');

-- error 42883
SELECT unnest(1);
