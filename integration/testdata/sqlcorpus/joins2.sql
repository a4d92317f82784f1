-- More joins: outer joins with NULLs, USING/NATURAL, LATERAL latest-N, multi-way.

SELECT u.id, c.id FROM users u LEFT JOIN conversations c ON c.created_by = u.id ORDER BY u.id, c.id;

SELECT c.id, u.id FROM users u RIGHT JOIN conversations c ON c.created_by = u.id AND u.age > 30 ORDER BY c.id;

SELECT a.n, b.n FROM (VALUES (1), (2), (NULL)) a(n) FULL JOIN (VALUES (2), (3), (NULL)) b(n) ON a.n = b.n ORDER BY 1 NULLS LAST, 2 NULLS LAST;

SELECT conversation_id, count(*) FROM members JOIN messages USING (conversation_id) WHERE user_id = 3 GROUP BY conversation_id ORDER BY 1;

SELECT * FROM (VALUES (1, 'a'), (2, 'b')) x(id, v) NATURAL JOIN (VALUES (2, 'b'), (3, 'c')) y(id, v);

SELECT * FROM (VALUES (1, 'a'), (2, 'b')) x(k, v) FULL JOIN (VALUES (2, 'z'), (3, 'c')) y(k, w) USING (k) ORDER BY k;

SELECT u.name, latest.body, latest.created_at FROM users u CROSS JOIN LATERAL (SELECT m.body, m.created_at FROM messages m WHERE m.author_id = u.id ORDER BY m.created_at DESC, m.conversation_id, m.id LIMIT 1) latest WHERE u.id <= 5 ORDER BY u.id;

SELECT c.id, x.n FROM conversations c JOIN LATERAL (SELECT count(*) AS n FROM members mb WHERE mb.conversation_id = c.id) x ON x.n > 3 ORDER BY c.id;

SELECT c.id, m.id FROM conversations c LEFT JOIN LATERAL (SELECT id FROM messages WHERE conversation_id = c.id AND tokens > 45 ORDER BY id LIMIT 3) m ON true ORDER BY c.id, m.id;

SELECT m.conversation_id, m.id, u.name, c.title FROM messages m JOIN users u ON u.id = m.author_id JOIN conversations c ON c.id = m.conversation_id WHERE m.tokens > 40 ORDER BY 1, 2;

SELECT u.name, count(DISTINCT mb.conversation_id), count(m.id) FROM users u LEFT JOIN members mb ON mb.user_id = u.id LEFT JOIN messages m ON m.conversation_id = mb.conversation_id AND m.author_id = u.id GROUP BY u.id, u.name ORDER BY u.id;

-- bag
SELECT u.id, m.id FROM users u JOIN messages m ON m.author_id = u.id AND m.conversation_id = 2;

SELECT count(*) FROM messages m1 JOIN messages m2 ON m1.author_id = m2.author_id AND m1.conversation_id < m2.conversation_id;

SELECT a.id, b.id FROM users a JOIN users b ON a.team = b.team AND a.id < b.id ORDER BY 1, 2;

SELECT u.id FROM users u JOIN members mb ON mb.user_id = u.id AND mb.conversation_id = 1 WHERE u.team IS NOT NULL ORDER BY 1;

SELECT x, y FROM generate_series(1, 3) x CROSS JOIN generate_series(1, 2) y ORDER BY y, x;

SELECT c.title, coalesce(cnt, 0) FROM conversations c LEFT JOIN (SELECT conversation_id, count(*) AS cnt FROM messages GROUP BY 1) s ON s.conversation_id = c.id ORDER BY c.id;
