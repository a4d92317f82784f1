-- setops: migrated from the original Go corpus.

SELECT id FROM users WHERE team = 'red' UNION SELECT id FROM users WHERE age > 30 ORDER BY 1;

SELECT team FROM users UNION ALL SELECT kind FROM conversations ORDER BY 1 NULLS FIRST;

-- bag
SELECT author_id FROM messages UNION SELECT created_by FROM conversations;

-- bag
SELECT author_id FROM messages INTERSECT SELECT created_by FROM conversations;

-- bag
SELECT author_id FROM messages INTERSECT ALL SELECT user_id FROM members;

-- bag
SELECT id FROM users EXCEPT SELECT author_id FROM messages;

-- bag
SELECT author_id FROM messages EXCEPT ALL SELECT user_id FROM members;

SELECT 1 AS x UNION SELECT 2 UNION SELECT 1 ORDER BY x DESC;

SELECT 1 UNION ALL SELECT NULL ORDER BY 1;

SELECT 1.5 UNION SELECT 2 ORDER BY 1;

SELECT 'a' UNION SELECT 'b' ORDER BY 1 DESC;

(SELECT id FROM users ORDER BY id LIMIT 2) UNION ALL (SELECT id FROM users ORDER BY id DESC LIMIT 2) ORDER BY 1;

SELECT name FROM users WHERE id < 3 UNION ALL SELECT title FROM conversations WHERE id < 3 ORDER BY 1 LIMIT 3;

VALUES (1, 'a'), (2, 'b'), (3, NULL);

VALUES (3), (1), (2) ORDER BY 1;

SELECT * FROM (VALUES (1, 'x'), (2, 'y')) AS t(id, label) ORDER BY id DESC;

SELECT column1, column2 FROM (VALUES (1, 2.5), (2, 3)) v ORDER BY 1;

SELECT u.name FROM users u JOIN (VALUES (1), (5), (9)) AS pick(id) ON pick.id = u.id ORDER BY 1;

