-- More WITH and WITH RECURSIVE, including the shape drivers use for type introspection.

WITH RECURSIVE descendants(n, depth) AS (SELECT 1, 0 UNION ALL SELECT n * 2 + d, depth + 1 FROM descendants, (VALUES (0), (1)) v(d) WHERE depth < 3) SELECT count(*), max(n), sum(depth) FROM descendants;

WITH RECURSIVE dates(d) AS (SELECT '2024-01-01'::date UNION ALL SELECT d + 7 FROM dates WHERE d < '2024-02-01') SELECT d FROM dates ORDER BY d;

WITH a AS (SELECT id, team FROM users), b AS (SELECT team, count(*) AS n FROM a GROUP BY team) SELECT a.id, b.n FROM a JOIN b ON a.team = b.team ORDER BY a.id;

WITH busy AS (SELECT author_id FROM messages GROUP BY author_id HAVING count(*) > 3) SELECT u.name FROM users u WHERE u.id IN (SELECT author_id FROM busy) ORDER BY 1;

WITH t AS (SELECT 1 AS x) SELECT * FROM t t1, t t2;

WITH RECURSIVE r(i, s) AS (SELECT 1, ''::text UNION ALL SELECT i + 1, s || i FROM r WHERE i < 5) SELECT i, s FROM r ORDER BY i;

WITH RECURSIVE typeinfo_tree(oid, typname, depth) AS (SELECT 1, 'root'::text, 0 UNION ALL SELECT t.oid * 10 + k, t.typname || '.' || k, t.depth + 1 FROM typeinfo_tree t, generate_series(1, 2) k WHERE t.depth < 2) SELECT oid, typname, depth FROM typeinfo_tree ORDER BY depth, oid;

WITH stats AS (SELECT avg(age) AS a FROM users) SELECT id FROM users, stats WHERE age > stats.a ORDER BY id;

WITH x AS (SELECT * FROM generate_series(1, 4) g) SELECT g, (SELECT sum(g) FROM x) FROM x ORDER BY g;

WITH latest AS (SELECT DISTINCT ON (conversation_id) conversation_id, id, body FROM messages ORDER BY conversation_id, created_at DESC, id DESC) SELECT c.title, l.body FROM conversations c LEFT JOIN latest l ON l.conversation_id = c.id ORDER BY c.id;
