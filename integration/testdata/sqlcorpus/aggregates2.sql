-- More aggregates: FILTER, ORDER BY inside aggregates, grouping by expressions and ordinals.

SELECT string_agg(name, ',') FILTER (WHERE age > 30) FROM users;

SELECT team, string_agg(DISTINCT name, ';' ORDER BY name) FROM users GROUP BY team ORDER BY team NULLS FIRST;

SELECT string_agg(x::text, '-' ORDER BY x DESC) FROM generate_series(1, 5) x;

SELECT string_agg(t, ',') FROM (VALUES ('a'), (NULL), ('b')) v(t);

SELECT bool_and(score > 0), bool_or(team IS NULL), every(age > 10) FROM users;

SELECT team, bool_and(age > 25), bool_or(score > 10) FROM users GROUP BY team ORDER BY team;

SELECT conversation_id, min(body), max(body), count(tokens), count(*) FROM messages GROUP BY conversation_id ORDER BY conversation_id DESC;

SELECT avg(tokens), sum(tokens)::numeric / count(tokens), avg(tokens::double precision) FROM messages;

SELECT author_id, count(*) FROM messages GROUP BY author_id HAVING count(*) >= 4 ORDER BY count(*) DESC, author_id;

SELECT kind, count(*) FROM conversations GROUP BY 1 HAVING min(id) > 1 ORDER BY 1;

SELECT count(*) FILTER (WHERE team = 'red') AS red, count(*) FILTER (WHERE team = 'blue') AS blue, avg(age) FILTER (WHERE score IS NOT NULL) FROM users;

SELECT extract(hour FROM created_at) >= 12 AS pm, count(*) FROM messages GROUP BY 1 ORDER BY 1;

SELECT team, max(score) - min(score) AS spread FROM users GROUP BY team HAVING count(score) > 1 ORDER BY spread DESC NULLS LAST, team NULLS FIRST;

SELECT sum(tokens) FILTER (WHERE meta ->> 'lang' = 'en'), max(tokens) FILTER (WHERE meta ->> 'lang' = 'fr') FROM messages;

SELECT count(*) FROM (SELECT DISTINCT conversation_id, author_id FROM messages) d;

SELECT 1 AS one, count(*) FROM users GROUP BY one;

SELECT team, count(*) FROM users WHERE age > 100 GROUP BY team;

SELECT max(age), min(age) FROM users HAVING max(age) > 30;

SELECT sum(age) FROM users HAVING false;

SELECT count(DISTINCT (team, age > 30)) FROM users;

SELECT c.kind, avg(length(m.body)), count(*) FROM conversations c JOIN messages m ON m.conversation_id = c.id GROUP BY c.kind ORDER BY c.kind;

SELECT team, count(*) * 100 / sum(count(*)) OVER () AS pct FROM users GROUP BY team ORDER BY team;

SELECT array_agg(DISTINCT role ORDER BY role) FROM members;

SELECT min(created_at)::date, max(created_at)::date FROM messages;
