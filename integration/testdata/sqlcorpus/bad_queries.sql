-- Bad queries migrated from the original Go corpus; SQLSTATE filled by PostgreSQL.

-- error 42702
SELECT id FROM users, conversations;

-- error 42712
SELECT * FROM users, users;

-- error 42P01
SELECT nope.id FROM users;

-- error 21000
SELECT (SELECT id FROM users);

-- error 42601
SELECT (SELECT id, name FROM users LIMIT 1);

-- error 42601
SELECT id FROM users WHERE id IN (SELECT id, name FROM users);

-- error 42601
SELECT 1 UNION SELECT 1, 2;

-- error 42804
SELECT 1 UNION SELECT 'x'::text;

-- error 42P10
SELECT DISTINCT ON (team) team, id FROM users ORDER BY id;

-- error 42P10
SELECT DISTINCT id FROM users ORDER BY name;

-- error 42803
SELECT name, count(*) FROM users;

-- error 42803
SELECT team FROM users GROUP BY team HAVING name = 'x';

-- error 42803
SELECT id FROM users WHERE count(*) > 1;

-- error 42P20
SELECT id FROM users WHERE row_number() OVER () > 1;

-- error 42P10
SELECT id FROM users ORDER BY 5;

-- error 42P10
SELECT id FROM users GROUP BY 3;

-- error 42601
SELECT * FROM (SELECT 1);

-- error 22023
SELECT * FROM generate_series(1, 3, 0);

-- error 42703
SELECT * FROM users u JOIN conversations c USING (nope);

-- error 42712
WITH t AS (SELECT 1), t AS (SELECT 2) SELECT * FROM t;

-- error 2201W
SELECT id FROM users LIMIT -1;

-- error 22023
SELECT * FROM jsonb_array_elements('{"a": 1}');

-- error 42883
SELECT no_such_fn(1) FROM users;

-- error 42P01
SELECT * FROM nosuch_table;

