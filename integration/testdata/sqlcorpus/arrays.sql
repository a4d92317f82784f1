-- Arrays, ANY/ALL, unnest, array_agg, generate_series, gen_random_uuid.

SELECT ARRAY[1, 2, 3], ARRAY['a', 'b'], ARRAY[NULL, 1], ARRAY[1::bigint, 2];

SELECT ARRAY[1.5, 2], ARRAY[]::int[];

SELECT ARRAY[id, age] FROM users WHERE id < 4 ORDER BY id;

SELECT 2 = ANY(ARRAY[1, 2, 3]), 5 = ANY(ARRAY[1, 2, 3]), 5 = ANY(ARRAY[1, NULL]), 1 <> ALL(ARRAY[2, 3]), 3 > ALL(ARRAY[1, 2]);

SELECT id FROM users WHERE id = ANY(ARRAY[2, 4, 6, 100]) ORDER BY id;

SELECT name FROM users WHERE team = ANY(ARRAY['red', 'green']) ORDER BY name;

SELECT id FROM users WHERE NOT (id = ANY('{1,2,3}'::bigint[])) ORDER BY id LIMIT 3;

SELECT array_length(ARRAY[1, 2, 3], 1), array_length('{}'::int[], 1), array_length(ARRAY['a'], 2), array_length(ARRAY['a', 'b'], 1);

SELECT array_length(ARRAY[[1, 2], [3, 4]], 2), cardinality(ARRAY[[1, 2], [3, 4]]);

SELECT cardinality(ARRAY[1, 2, 3]), cardinality('{}'::text[]), cardinality(NULL::int[]), cardinality(ARRAY['x']);

SELECT team, cardinality(array_agg(id)) FROM users GROUP BY team ORDER BY team;

SELECT unnest(ARRAY[1, 2, 3]) * 10;

SELECT x FROM unnest(ARRAY['c', 'a', 'b']) AS x ORDER BY x;

SELECT count(*) FROM unnest('{1,2,NULL}'::int[]) u WHERE u IS NOT NULL;

SELECT a, b FROM unnest(ARRAY[1, 2, 3], ARRAY['x', 'y']) AS t(a, b);

SELECT array_agg(id ORDER BY id DESC) FROM users WHERE id < 5;

SELECT array_agg(DISTINCT team ORDER BY team) FROM users;

SELECT array_agg(x) FROM generate_series(1, 3) x WHERE x > 10;

SELECT conversation_id, array_agg(author_id ORDER BY id) FILTER (WHERE tokens > 10) FROM messages GROUP BY 1 ORDER BY 1;

SELECT (array_agg(name ORDER BY age DESC, id))[1] FROM users;

SELECT (ARRAY[10, 20, 30])[2], (ARRAY[10, 20, 30])[5], (ARRAY['a', 'b'])[0];

SELECT ARRAY[1, 2] || ARRAY[3], ARRAY[1, 2] || 3, 0 || ARRAY[1, 2], ARRAY[1, 2] = ARRAY[1, 2], ARRAY[1, 2] < ARRAY[1, 3];

SELECT '{1,2,3}'::int[], '{"a b",c}'::text[], '{}'::bigint[], ARRAY[1, 2]::text[];

SELECT length(gen_random_uuid()::text), gen_random_uuid() = gen_random_uuid(), substr(gen_random_uuid()::text, 15, 1), gen_random_uuid() <> '00000000-0000-0000-0000-000000000000'::uuid;

SELECT count(DISTINCT gen_random_uuid()) FROM generate_series(1, 20);

SELECT * FROM generate_series(-2, 2);

SELECT * FROM generate_series(1, 10, 4);

SELECT g FROM generate_series(5, 1, -2) g;

SELECT count(*), sum(g) FROM generate_series(1, 1000) g;

SELECT * FROM generate_series(1.5, 3.5, 0.5);

SELECT g::date FROM generate_series('2024-02-27'::date, '2024-03-02'::date, '1 day') g;

SELECT * FROM generate_series(3, 1);

SELECT d.day, count(m.id) FROM generate_series(2, 8) AS d(day) LEFT JOIN messages m ON extract(day FROM m.created_at) = d.day GROUP BY d.day ORDER BY d.day;

SELECT array_agg(id) FILTER (WHERE age > 30) IS NOT NULL, array_length(array_agg(id), 1) FROM users;

SELECT ARRAY(SELECT DISTINCT kind FROM conversations ORDER BY kind);

SELECT id, tokens FROM messages WHERE tokens = ANY(ARRAY(SELECT age FROM users)) ORDER BY conversation_id, id;

SELECT e, e.value, value FROM jsonb_array_elements('[1, "a"]') e;

SELECT e FROM generate_series(1, 3) e;

SELECT x.x, x FROM unnest(ARRAY[1, 2]) x;


SELECT * FROM generate_series(1.5, 3.5, 0.5);

SELECT g, g * 2 FROM generate_series(1, 2.25, 0.5) g;

SELECT * FROM generate_series(0.10, 1);

SELECT * FROM generate_series(3, 1.5, -0.75);

SELECT count(*) FROM generate_series(1::numeric, 0);

-- error 22023
SELECT * FROM generate_series(1.0, 2, 0);

SELECT ARRAY[1.5, 2], ARRAY[]::int[];

SELECT ARRAY[1.5, 2.25]::int[], ARRAY['1', '2']::int[], ARRAY[]::text[], ARRAY[1.5::float8, 2], ARRAY[true, false, NULL];

SELECT ARRAY[1.5, 2] || 3.5, 2.5 = ANY(ARRAY[1.5, 2.5]), (ARRAY[1.5, 2])[1], cardinality(ARRAY[]::numeric[]), array_length(ARRAY[1.5], 1);

SELECT to_jsonb(ARRAY[1.5, 2]), to_jsonb(ARRAY[true]), ARRAY[1.5, 2] = ARRAY[1.50, 2.0], ARRAY['2024-01-01'::date], ARRAY[now() - now()];

SELECT array_agg(x) FROM (VALUES (1.5), (2.0)) v(x);

SELECT unnest(ARRAY[1.5, 2.5]), unnest(ARRAY['a'::varchar(3)]);

SELECT ARRAY['ab'::varchar(5), 'c'], ARRAY['abc']::varchar(2)[], ARRAY[1, 2]::numeric(5,2)[];

SELECT * FROM unnest(ARRAY[1, 2], ARRAY['a', 'b', 'c'], NULL::bool[]);

SELECT u.* FROM unnest(ARRAY[1.5], ARRAY[2]) WITH ORDINALITY u;

SELECT x, y FROM users, unnest(ARRAY[id], ARRAY[name]) AS z(x, y) WHERE id < 3 ORDER BY x;

-- error 42883
SELECT unnest(ARRAY[1], ARRAY[2]);

SELECT ARRAY[[1, 2], [3, 4]], ARRAY[ARRAY['a', 'b'], ARRAY['c', NULL]], ARRAY[[1.5]], ARRAY[[[1], [2]], [[3], [4]]];

SELECT array_length(ARRAY[[1, 2, 3], [4, 5, 6]], 1), array_length(ARRAY[[1, 2, 3], [4, 5, 6]], 2), array_length(ARRAY[[1, 2]], 3), cardinality(ARRAY[[1, 2, 3], [4, 5, 6]]), array_ndims(ARRAY[[1], [2]]), array_dims(ARRAY[[1, 2, 3], [4, 5, 6]]), array_ndims(ARRAY[1]), array_dims('{}'::int[]);

SELECT (ARRAY[[1, 2], [3, 4]])[2][1], (ARRAY[[1, 2], [3, 4]])[1], (ARRAY[[1, 2], [3, 4]])[3][1], 3 = ANY(ARRAY[[1, 2], [3, 4]]);

SELECT unnest(ARRAY[[1, 2], [3, 4]]), array_to_string(ARRAY[['a', 'b'], ['c', 'd']], ',');

SELECT ARRAY[[1, 2], [3, 4]]::text[], ARRAY[[1.5, 2.5]]::int[], ARRAY[[1, 2], [3, 4]] = ARRAY[[1, 2], [3, 4]], ARRAY[[1, 2], [3, 4]] < ARRAY[[1, 2], [3, 5]], to_jsonb(ARRAY[[1, 2], [3, 4]]);

-- error 2202E
SELECT ARRAY[ARRAY[1, 2], NULL::int[]] IS NULL;

-- error 2202E
SELECT ARRAY[[1, 2], [3]];

SELECT ARRAY[ARRAY[]::int[], ARRAY[]::int[]], x FROM (SELECT ARRAY[[1, 2], [3, 4]] AS x) s;
