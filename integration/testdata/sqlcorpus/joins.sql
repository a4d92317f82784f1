-- joins: migrated from the original Go corpus.

SELECT c.id, c.title, u.name FROM conversations c JOIN users u ON u.id = c.created_by ORDER BY c.id;

SELECT c.id, count(m.id) FROM conversations c LEFT JOIN messages m ON m.conversation_id = c.id GROUP BY c.id ORDER BY c.id;

SELECT m.conversation_id, m.id, u.name FROM messages m JOIN users u ON u.id = m.author_id WHERE m.conversation_id = 4 ORDER BY m.id;

SELECT u.name, c.title FROM members mb JOIN users u ON u.id = mb.user_id JOIN conversations c ON c.id = mb.conversation_id WHERE mb.role = 'owner' ORDER BY c.id;

SELECT u.id, mb.conversation_id FROM users u LEFT JOIN members mb ON mb.user_id = u.id AND mb.role = 'owner' ORDER BY u.id, 2;

SELECT c.id, m.id FROM messages m RIGHT JOIN conversations c ON c.id = m.conversation_id AND m.id = 1 ORDER BY c.id;

SELECT a.id, b.id FROM (SELECT id FROM users WHERE id < 4) a FULL JOIN (SELECT created_by AS id FROM conversations) b ON a.id = b.id ORDER BY 1 NULLS LAST, 2 NULLS LAST;

SELECT count(*) FROM users CROSS JOIN conversations;

SELECT count(*) FROM users, conversations WHERE users.id = conversations.created_by;

SELECT u.name, c.title FROM users u, conversations c WHERE u.id = c.created_by AND c.kind = 'ai' ORDER BY 1;

SELECT conversation_id, user_id, name FROM members JOIN users ON users.id = members.user_id WHERE conversation_id = 2 ORDER BY user_id;

SELECT * FROM members JOIN (SELECT id AS user_id, name FROM users) u USING (user_id) WHERE conversation_id = 3 ORDER BY user_id;

SELECT user_id, conversation_id FROM members NATURAL JOIN (SELECT id AS user_id, team FROM users) u WHERE team = 'red' ORDER BY 1, 2;

SELECT m1.id, m2.id FROM messages m1 JOIN messages m2 ON m1.conversation_id = m2.conversation_id AND m2.id = m1.id + 1 WHERE m1.conversation_id = 1 ORDER BY 1;

SELECT u1.id, u2.id FROM users u1 JOIN users u2 ON u1.age < u2.age AND u2.id = u1.id + 1 ORDER BY 1;

SELECT c.kind, count(DISTINCT mb.user_id) FROM conversations c JOIN members mb ON mb.conversation_id = c.id GROUP BY c.kind ORDER BY 1;

SELECT u.team, count(m.*) FROM users u LEFT JOIN messages m ON m.author_id = u.id GROUP BY u.team ORDER BY 1 NULLS FIRST;

SELECT c.title, m.body FROM conversations c JOIN messages m ON m.conversation_id = c.id AND m.id = 2 ORDER BY c.id;

SELECT x.a, y.b FROM (VALUES (1, 'one'), (2, 'two')) x(a, s) JOIN (VALUES (2, 'deux'), (3, 'trois')) y(a, b) ON x.a = y.a;

SELECT u.id FROM users u LEFT JOIN members mb ON mb.user_id = u.id WHERE mb.user_id IS NULL ORDER BY 1;

-- bag
SELECT u.name, mb.role FROM users u JOIN members mb ON mb.user_id = u.id WHERE mb.conversation_id = 1;

SELECT t.* FROM users u JOIN conversations t ON t.created_by = u.id WHERE u.id = 6 ORDER BY t.id;

SELECT u.*, c.id FROM users u JOIN conversations c ON c.created_by = u.id WHERE c.id = 1;

SELECT c.id, m.id, m.body FROM conversations c CROSS JOIN LATERAL (SELECT id, body FROM messages WHERE messages.conversation_id = c.id ORDER BY id DESC LIMIT 2) m ORDER BY c.id, m.id;

SELECT c.id, m.cnt FROM conversations c LEFT JOIN LATERAL (SELECT count(*) AS cnt FROM messages WHERE conversation_id = c.id) m ON true ORDER BY c.id;

SELECT c.id, last.body FROM conversations c LEFT JOIN LATERAL (SELECT body FROM messages m WHERE m.conversation_id = c.id ORDER BY m.created_at DESC, m.id DESC LIMIT 1) last ON true ORDER BY c.id;

SELECT u.id, g.n FROM users u, LATERAL (SELECT u.age + 1 AS n) g WHERE u.id < 4 ORDER BY 1;

SELECT u.id, s FROM users u, generate_series(1, u.id % 3) s WHERE u.id <= 5 ORDER BY 1, 2;

