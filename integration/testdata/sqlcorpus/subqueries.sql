-- subqueries: migrated from the original Go corpus.

SELECT name FROM users WHERE id IN (SELECT created_by FROM conversations) ORDER BY name;

SELECT name FROM users WHERE id NOT IN (SELECT author_id FROM messages) ORDER BY name;

SELECT id FROM users WHERE id NOT IN (SELECT tokens FROM messages WHERE tokens < 10) ORDER BY 1;

SELECT id FROM users WHERE team NOT IN (SELECT team FROM users WHERE id > 10) ORDER BY 1;

SELECT c.id FROM conversations c WHERE EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.tokens > 40) ORDER BY 1;

SELECT c.id FROM conversations c WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id) ORDER BY 1;

SELECT id, (SELECT count(*) FROM messages m WHERE m.author_id = u.id) FROM users u ORDER BY id;

SELECT id, (SELECT max(id) FROM messages m WHERE m.conversation_id = c.id) AS last_id FROM conversations c ORDER BY id;

SELECT (SELECT name FROM users WHERE id = 3), (SELECT count(*) FROM conversations);

SELECT id FROM users WHERE age > (SELECT avg(age) FROM users) ORDER BY id;

SELECT id FROM users WHERE age = ANY (SELECT age FROM users WHERE team = 'red') ORDER BY id;

SELECT id FROM users WHERE age > ALL (SELECT age FROM users WHERE team = 'blue') ORDER BY id;

SELECT id FROM users WHERE age < ANY (SELECT age FROM users WHERE id > 100) ORDER BY id;

SELECT id FROM users WHERE age <= ALL (SELECT age FROM users WHERE id > 100) ORDER BY id;

SELECT t.team, t.n FROM (SELECT team, count(*) AS n FROM users GROUP BY team) t WHERE t.n > 2 ORDER BY 1;

SELECT max(n) FROM (SELECT conversation_id, count(*) AS n FROM messages GROUP BY 1) s;

SELECT s.x FROM (SELECT id * 10 AS x FROM users ORDER BY id DESC LIMIT 3) s ORDER BY s.x;

SELECT ARRAY(SELECT id FROM users WHERE team = 'green' ORDER BY id);

SELECT u.id, EXISTS (SELECT 1 FROM members mb WHERE mb.user_id = u.id AND mb.role = 'owner') FROM users u ORDER BY 1;

SELECT id FROM messages m WHERE conversation_id = 1 AND id = (SELECT max(id) FROM messages WHERE conversation_id = m.conversation_id);

SELECT c.id FROM conversations c WHERE c.created_by IN (SELECT mb.user_id FROM members mb WHERE mb.conversation_id = c.id) ORDER BY 1;

SELECT u.id FROM users u WHERE (SELECT count(*) FROM members mb WHERE mb.user_id = u.id) >= 3 ORDER BY 1;

