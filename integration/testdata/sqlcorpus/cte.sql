-- cte: migrated from the original Go corpus.

WITH red AS (SELECT * FROM users WHERE team = 'red') SELECT id, name FROM red ORDER BY id;

WITH counts AS (SELECT conversation_id, count(*) AS n FROM messages GROUP BY 1), top AS (SELECT * FROM counts WHERE n > 4) SELECT c.title, top.n FROM top JOIN conversations c ON c.id = top.conversation_id ORDER BY 1;

WITH x(a, b) AS (VALUES (1, 2), (3, 4)) SELECT a + b FROM x ORDER BY 1;

WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 10) SELECT sum(n), count(*) FROM t;

WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n * 2 FROM t WHERE n < 100) SELECT n FROM t ORDER BY n;

WITH RECURSIVE t(n) AS (SELECT 1 UNION SELECT (n % 5) + 1 FROM t) SELECT n FROM t ORDER BY n;

WITH RECURSIVE fib(a, b) AS (SELECT 0::bigint, 1::bigint UNION ALL SELECT b, a + b FROM fib WHERE b < 100) SELECT a FROM fib ORDER BY a;

WITH RECURSIVE chain(id, depth) AS (SELECT 1::bigint, 0 UNION ALL SELECT c.created_by, chain.depth + 1 FROM chain JOIN conversations c ON c.id = chain.id WHERE chain.depth < 5) SELECT id, depth FROM chain ORDER BY depth;

WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT n FROM t LIMIT 5;

WITH m AS (SELECT * FROM messages WHERE tokens IS NOT NULL) SELECT conversation_id, min(tokens), max(tokens) FROM m GROUP BY 1 ORDER BY 1;

