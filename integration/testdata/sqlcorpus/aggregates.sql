-- aggregates: migrated from the original Go corpus.

SELECT count(*), count(team), count(DISTINCT team), min(age), max(age), sum(age), avg(age) FROM users;

SELECT sum(score), avg(score), min(score), max(score) FROM users;

SELECT team, count(*) FROM users GROUP BY team ORDER BY team NULLS LAST;

SELECT team, count(*) AS n FROM users GROUP BY team ORDER BY n DESC, team;

SELECT team, avg(age), sum(score) FROM users GROUP BY 1 ORDER BY 1;

SELECT conversation_id, count(*), sum(tokens), max(created_at) FROM messages GROUP BY conversation_id ORDER BY conversation_id;

SELECT conversation_id, count(*) FROM messages GROUP BY conversation_id HAVING count(*) > 5 ORDER BY 1;

SELECT conversation_id FROM messages GROUP BY conversation_id HAVING sum(tokens) > 100 ORDER BY 1;

SELECT author_id % 3 AS bucket, count(*) FROM messages GROUP BY author_id % 3 ORDER BY bucket;

SELECT upper(team), count(*) FROM users GROUP BY upper(team) ORDER BY 1;

SELECT date_trunc('day', created_at) AS day, count(*) FROM messages GROUP BY 1 ORDER BY 1;

SELECT meta->>'lang' AS lang, count(*) FROM messages GROUP BY meta->>'lang' ORDER BY lang;

SELECT kind, string_agg(title, ', ' ORDER BY id) FROM conversations GROUP BY kind ORDER BY kind;

SELECT conversation_id, string_agg(body, '|' ORDER BY id DESC) FROM messages WHERE conversation_id < 3 GROUP BY 1 ORDER BY 1;

SELECT team, array_agg(id ORDER BY id) FROM users GROUP BY team ORDER BY team;

SELECT array_agg(name ORDER BY name DESC) FROM users WHERE age > 30;

SELECT conversation_id, jsonb_agg(id ORDER BY id) FROM messages WHERE conversation_id IN (1, 2) GROUP BY 1 ORDER BY 1;

SELECT jsonb_object_agg(name, age) FROM users WHERE id <= 3;

SELECT count(*) FILTER (WHERE tokens > 20), count(*) FILTER (WHERE tokens IS NULL) FROM messages;

SELECT conversation_id, sum(tokens) FILTER (WHERE author_id < 6) FROM messages GROUP BY 1 ORDER BY 1;

SELECT bool_and(age > 20), bool_or(age > 35) FROM users;

SELECT count(DISTINCT author_id), count(DISTINCT conversation_id) FROM messages;

SELECT max(name), min(created_at) FROM users WHERE team = 'blue';

SELECT count(*), sum(age) FROM users WHERE false;

-- bag
SELECT team, count(*) FROM users GROUP BY team;

SELECT role, count(*) FROM members GROUP BY role ORDER BY role;

