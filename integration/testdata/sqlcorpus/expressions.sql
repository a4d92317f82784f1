-- expressions: migrated from the original Go corpus.

SELECT id, CASE WHEN age > 30 THEN 'old' ELSE 'young' END FROM users ORDER BY id;

SELECT coalesce(team, 'none'), count(*) FROM users GROUP BY coalesce(team, 'none') ORDER BY 1;

SELECT conversation_id, sum(tokens) * 2, avg(tokens)::integer FROM messages GROUP BY 1 ORDER BY 1;

SELECT count(*) FROM messages WHERE meta @> '{"lang": "fr"}';

SELECT id FROM messages WHERE conversation_id = 3 AND (meta->>'n')::int > 3 ORDER BY id;

SELECT u.name, (SELECT string_agg(c.title, ',' ORDER BY c.id) FROM conversations c WHERE c.created_by = u.id) FROM users u ORDER BY u.id;

SELECT kind, count(*) FROM conversations c WHERE EXISTS (SELECT 1 FROM members mb WHERE mb.conversation_id = c.id AND mb.user_id = 3) GROUP BY kind ORDER BY 1;

SELECT NULL IS NULL, NULL IS NOT NULL, 1 IS DISTINCT FROM NULL, NULL IS NOT DISTINCT FROM NULL, 1 IS DISTINCT FROM 1;

SELECT true AND false, true OR false, NOT true, NULL AND false, NULL OR true, NULL::boolean IS UNKNOWN, true IS TRUE, false IS NOT FALSE;

SELECT CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END, CASE WHEN NULL THEN 'x' END, CASE 5 WHEN 1 THEN 1 END;

SELECT id, CASE team WHEN 'red' THEN 1 WHEN 'blue' THEN 2 ELSE 0 END FROM users ORDER BY id;

SELECT coalesce(NULL, NULL, 3), coalesce(NULL::text, 'x'), coalesce(1, 2), nullif(1, 1), nullif(1, 2), nullif('a', 'b');

SELECT id, coalesce(score, -1), nullif(team, 'red') FROM users ORDER BY id;

SELECT 1 < 2, 2 <= 2, 3 > 4, 3 >= 3, 1 = 1.0, 1 <> 2, 1 != 1, 'a' = 'a';

SELECT id FROM users WHERE (age > 25 AND team = 'red') OR (score IS NULL) ORDER BY id;

SELECT id FROM users WHERE team IN ('red', 'blue') AND age NOT IN (21, 24) ORDER BY id;

SELECT id FROM users WHERE NOT (team = 'green') ORDER BY id;

SELECT id, age BETWEEN 25 AND 30 FROM users ORDER BY id;

SELECT 1::text || 2::text, CAST(12.7 AS integer), CAST('t' AS boolean), CAST(1 AS text), '5'::int + 1, 2::double precision, CAST(NULL AS int);

SELECT 'abc'::varchar::text, 100::smallint::bigint, 1.99::numeric(4, 1), '{"a": 1}'::text::jsonb -> 'a';

SELECT 1, 1.5, 'a'::text, 1::bigint + 1, 1 + 1.5, 1 / 2.0::double precision, 2::smallint * 2::smallint;

SELECT sum(age), avg(age), count(*), sum(score), max(name), sum(id), avg(score) FROM users WHERE false;

SELECT id, -age, age + id * 2, (age + id) * 2, age - id - 1 FROM users ORDER BY id LIMIT 5;

SELECT 'yes' WHERE 1 = 1;

SELECT 2 + 3 * 4, (2 + 3) * 4, 2 ^ 3 ^ 2, -2 ^ 2, 10 - 2 - 3, 100 / 10 / 5;

SELECT id FROM users WHERE score > 5 IS TRUE ORDER BY id;

SELECT count(*) FROM users WHERE score IS NULL OR team IS NULL;

SELECT id, name FROM users WHERE name = 'user03' OR id = 7 ORDER BY id DESC;

SELECT 1 WHERE NULL;

SELECT id, CASE WHEN score IS NULL THEN 'none' WHEN score > 10 THEN 'high' ELSE 'low' END AS band FROM users ORDER BY band, id;
