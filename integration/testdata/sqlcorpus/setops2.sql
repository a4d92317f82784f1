-- More set operations and VALUES.

SELECT team FROM users INTERSECT SELECT 'red' ORDER BY 1;

SELECT kind FROM conversations EXCEPT SELECT 'ai' ORDER BY 1;

SELECT id FROM users WHERE id < 5 EXCEPT SELECT id FROM users WHERE id IN (2, 3) ORDER BY 1 DESC;

-- bag
SELECT role FROM members UNION ALL SELECT kind FROM conversations;

SELECT count(*) FROM (SELECT author_id FROM messages UNION ALL SELECT user_id FROM members) u;

SELECT x FROM (VALUES (1), (2), (2), (3)) v(x) INTERSECT ALL SELECT x FROM (VALUES (2), (2), (4)) w(x);

SELECT x FROM (VALUES (1), (2), (2), (3)) v(x) EXCEPT ALL SELECT x FROM (VALUES (2), (3)) w(x) ORDER BY x;

SELECT 1 UNION SELECT 2 INTERSECT SELECT 2 ORDER BY 1;

(SELECT 'a' AS t UNION SELECT 'b') UNION ALL SELECT 'a' ORDER BY t;

SELECT id, 'user' AS src FROM users WHERE id < 3 UNION ALL SELECT id, 'conv' FROM conversations WHERE id < 3 ORDER BY src, id;

SELECT NULL UNION SELECT NULL;

VALUES (1, true), (2, NULL) ORDER BY 1 DESC LIMIT 1;

SELECT * FROM (VALUES ('x', 1.5), ('y', NULL)) t(a, b) WHERE b IS NULL;

SELECT id FROM users UNION SELECT id FROM conversations ORDER BY id DESC LIMIT 3 OFFSET 2;
