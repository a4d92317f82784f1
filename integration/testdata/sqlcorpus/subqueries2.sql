-- More subqueries: scalar, IN, EXISTS, correlated, derived tables.

SELECT id, name, (SELECT title FROM conversations c WHERE c.created_by = u.id ORDER BY c.id LIMIT 1) FROM users u ORDER BY id;

SELECT id FROM conversations WHERE id IN (SELECT conversation_id FROM messages WHERE tokens > 45) ORDER BY id;

SELECT id FROM conversations WHERE id NOT IN (SELECT conversation_id FROM messages) ORDER BY id;

SELECT u.id FROM users u WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.author_id = u.id AND m.conversation_id = 1) ORDER BY 1;

SELECT u.id FROM users u WHERE EXISTS (SELECT 1 FROM conversations c WHERE c.created_by = u.id) AND u.age > 25 ORDER BY 1;

SELECT (SELECT max(tokens) FROM messages) - (SELECT min(tokens) FROM messages);

SELECT id FROM users WHERE score = (SELECT max(score) FROM users);

SELECT m.conversation_id, m.id FROM messages m WHERE m.tokens > (SELECT avg(tokens) FROM messages x WHERE x.conversation_id = m.conversation_id) ORDER BY 1, 2;

SELECT name FROM users WHERE (team, age) IN (SELECT team, age FROM users WHERE id > 8) ORDER BY name;

SELECT t.kind, t.total FROM (SELECT c.kind, sum(m.tokens) AS total FROM conversations c JOIN messages m ON m.conversation_id = c.id GROUP BY c.kind) t ORDER BY t.total DESC;

SELECT * FROM (SELECT * FROM (SELECT id, age FROM users WHERE age > 25) a WHERE id > 3) b ORDER BY id;

SELECT id, (SELECT count(*) FROM members mb WHERE mb.conversation_id = c.id AND mb.role = 'member') AS members FROM conversations c ORDER BY members DESC, id;

SELECT id FROM users WHERE id > ALL (SELECT created_by FROM conversations) ORDER BY id;

SELECT (SELECT 1 WHERE false), (SELECT NULL::int) IS NULL;

SELECT EXISTS (SELECT 1 FROM users WHERE age > 100), NOT EXISTS (SELECT 1 FROM users);

SELECT id FROM users u WHERE age IN (SELECT age FROM users u2 WHERE u2.id <> u.id) ORDER BY id;

SELECT count(DISTINCT (team, age > 30)) FROM users;

SELECT name FROM users WHERE (team, age) IN (SELECT team, age FROM users WHERE id > 8) ORDER BY name;

SELECT name FROM users WHERE (team, age) NOT IN (SELECT team, age FROM users WHERE id > 8) ORDER BY name;

SELECT (1, 2) = (1, 2), (1, NULL) = (1, 2), (1, NULL) = (2, 2), (1, 2) <> (1, 3), (1, 2) < (1, 3), (1, NULL) < (2, 0), (NULL, 1) < (2, 0), (1, 2) <= (1, 2), (1, 2) > (1, 2);

SELECT (1, 'a') IN ((1, 'b'), (1, 'a')), (1, 2) NOT IN ((1, 3), (2, 2)), (1, 2) IN ((1, NULL)), ROW(1, 2.5) = ROW(1.0, 2.5);

SELECT (1, 'a b', NULL, ''), ROW(true, 2.50), ROW(1);

SELECT id FROM users WHERE (id, name) > (8, 'a') ORDER BY id;

SELECT (team, count(*)) FROM users GROUP BY team ORDER BY team;

-- error 42601
SELECT (1, 2) = (1, 2, 3);

-- error 42601
SELECT 1 WHERE (1, 2) IN (SELECT 1);
