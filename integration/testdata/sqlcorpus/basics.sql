-- basics: migrated from the original Go corpus.

SELECT id, name, team FROM users ORDER BY id;

SELECT name FROM users WHERE team = 'red' ORDER BY name DESC;

SELECT id FROM users WHERE team IS NULL ORDER BY id;

SELECT id, score FROM users ORDER BY score NULLS FIRST, id;

SELECT id, score FROM users ORDER BY score DESC NULLS LAST, id LIMIT 5;

SELECT id FROM users ORDER BY id OFFSET 10;

SELECT id FROM users ORDER BY id DESC FETCH FIRST 3 ROWS ONLY;

SELECT id FROM users ORDER BY id OFFSET 2 ROWS FETCH NEXT 2 ROWS ONLY;

SELECT body FROM messages WHERE conversation_id = 3 ORDER BY id DESC LIMIT 3;

SELECT id, body FROM messages WHERE conversation_id = 2 AND id = 4;

SELECT id FROM messages WHERE conversation_id = 5 ORDER BY id;

SELECT conversation_id, id FROM messages ORDER BY conversation_id DESC, id DESC LIMIT 4;

SELECT name AS n FROM users ORDER BY n LIMIT 3;

SELECT id, age * 2 AS double_age FROM users ORDER BY double_age DESC, id LIMIT 4;

SELECT id FROM users ORDER BY age % 5, id;

SELECT id, name FROM users ORDER BY lower(team) NULLS FIRST, id DESC;

-- bag
SELECT DISTINCT team FROM users;

SELECT DISTINCT team FROM users ORDER BY team;

SELECT DISTINCT author_id FROM messages ORDER BY 1;

SELECT DISTINCT ON (conversation_id) conversation_id, id, body FROM messages ORDER BY conversation_id, id DESC;

SELECT DISTINCT ON (team) team, name FROM users ORDER BY team NULLS FIRST, age DESC, id;

SELECT DISTINCT ON (kind) kind, title FROM conversations ORDER BY kind, created_at DESC;

SELECT * FROM users WHERE id = 4;

SELECT conversations.* FROM conversations ORDER BY id DESC LIMIT 2;

SELECT id, title FROM conversations ORDER BY kind DESC, created_at ASC;

SELECT id FROM users ORDER BY team DESC NULLS FIRST, id;

SELECT id FROM users ORDER BY team ASC NULLS FIRST, id DESC;

SELECT id, score FROM users ORDER BY score DESC, id;

SELECT name FROM users ORDER BY length(name) DESC, name LIMIT 2;

SELECT id FROM users ORDER BY id LIMIT 0;

SELECT id FROM users ORDER BY id LIMIT ALL OFFSET 10;

SELECT id FROM users ORDER BY id FETCH FIRST ROW ONLY;

SELECT DISTINCT kind, created_by > 6 FROM conversations ORDER BY 1, 2;

SELECT DISTINCT ON (author_id) author_id, conversation_id, id FROM messages ORDER BY author_id, conversation_id DESC, id DESC;

-- bag
SELECT DISTINCT role FROM members;

SELECT 1, 'x', NULL, 2.5, true;

SELECT id, name FROM users WHERE id IN (SELECT 1 UNION SELECT 2) ORDER BY 2;

SELECT * FROM members WHERE conversation_id = 4 ORDER BY user_id;

SELECT conversation_id, id FROM messages WHERE conversation_id = 3 AND id BETWEEN 2 AND 4 ORDER BY id DESC;

SELECT conversation_id, id FROM messages WHERE conversation_id = 2 ORDER BY id DESC LIMIT 50;

SELECT conversation_id, id FROM messages WHERE conversation_id IN (1, 3) AND id > 5 ORDER BY conversation_id, id;
