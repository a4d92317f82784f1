-- windows: migrated from the original Go corpus.

SELECT id, row_number() OVER (ORDER BY age, id) FROM users ORDER BY id;

SELECT id, team, row_number() OVER (PARTITION BY team ORDER BY id DESC) FROM users ORDER BY id;

SELECT id, age, rank() OVER (ORDER BY age), dense_rank() OVER (ORDER BY age) FROM users ORDER BY age, id;

SELECT conversation_id, id, lag(id) OVER (PARTITION BY conversation_id ORDER BY id), lead(id, 2, -1) OVER (PARTITION BY conversation_id ORDER BY id) FROM messages WHERE conversation_id < 3 ORDER BY 1, 2;

SELECT id, sum(age) OVER (ORDER BY id) AS running FROM users ORDER BY id;

SELECT id, team, sum(age) OVER (PARTITION BY team) FROM users ORDER BY id;

SELECT id, count(*) OVER () FROM users ORDER BY id LIMIT 3;

SELECT id, avg(age) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM users ORDER BY id;

SELECT id, sum(tokens) OVER (PARTITION BY conversation_id ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM messages WHERE conversation_id = 3 ORDER BY id;

SELECT id, first_value(name) OVER (PARTITION BY team ORDER BY id), last_value(name) OVER (PARTITION BY team ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM users ORDER BY id;

SELECT id, last_value(id) OVER (ORDER BY age) FROM users ORDER BY id;

SELECT id, max(age) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW), min(age) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING) FROM users ORDER BY id;

SELECT age, count(*) OVER (ORDER BY age RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM users ORDER BY age, id;

SELECT team, count(*), sum(count(*)) OVER (ORDER BY team) FROM users GROUP BY team ORDER BY team;

SELECT conversation_id, id FROM (SELECT conversation_id, id, row_number() OVER (PARTITION BY conversation_id ORDER BY id DESC) AS rn FROM messages) t WHERE rn <= 2 ORDER BY 1, 2;

SELECT id, row_number() OVER w, rank() OVER w FROM users WINDOW w AS (PARTITION BY team ORDER BY age) ORDER BY id;

SELECT id, ntile(3) OVER (ORDER BY id), percent_rank() OVER (ORDER BY age), cume_dist() OVER (ORDER BY age) FROM users ORDER BY id;

SELECT id, row_number() OVER (ORDER BY id DESC) FROM users ORDER BY row_number() OVER (ORDER BY id DESC) LIMIT 3;

