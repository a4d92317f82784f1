-- More window functions: frames, partitions, ranking with ties.

SELECT conversation_id, id, row_number() OVER (PARTITION BY conversation_id ORDER BY created_at DESC, id DESC) FROM messages WHERE conversation_id IN (2, 6) ORDER BY 1, 3;

SELECT id, tokens, rank() OVER (ORDER BY tokens DESC NULLS LAST), dense_rank() OVER (ORDER BY tokens DESC NULLS LAST) FROM messages WHERE conversation_id = 4 ORDER BY id;

SELECT id, lag(name, 1, 'none') OVER (ORDER BY id), lead(name) OVER (ORDER BY id) FROM users ORDER BY id;

SELECT id, lag(score, 2) OVER (PARTITION BY team ORDER BY id) FROM users ORDER BY id;

SELECT id, first_value(tokens) OVER (PARTITION BY conversation_id ORDER BY id), last_value(tokens) OVER (PARTITION BY conversation_id ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM messages WHERE conversation_id = 6 ORDER BY id;

SELECT id, sum(tokens) OVER (PARTITION BY conversation_id), count(tokens) OVER (PARTITION BY conversation_id) FROM messages WHERE conversation_id IN (1, 2) ORDER BY conversation_id, id;

SELECT id, count(*) OVER (PARTITION BY conversation_id ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM messages WHERE conversation_id = 5 ORDER BY id;

SELECT id, sum(id) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND 2 FOLLOWING) FROM users ORDER BY id;

SELECT id, age, sum(age) OVER (ORDER BY age) FROM users ORDER BY age, id;

SELECT id, avg(score) OVER (PARTITION BY team ORDER BY id ROWS UNBOUNDED PRECEDING) FROM users ORDER BY id;

SELECT id, min(id) OVER (PARTITION BY team), max(id) OVER (PARTITION BY team) FROM users ORDER BY id;

SELECT name, rank() OVER (ORDER BY team NULLS FIRST) FROM users ORDER BY id;

SELECT conversation_id, count(*), rank() OVER (ORDER BY count(*) DESC) FROM messages GROUP BY conversation_id ORDER BY conversation_id;

SELECT * FROM (SELECT id, team, age, rank() OVER (PARTITION BY team ORDER BY age DESC, id) AS r FROM users) t WHERE r = 1 ORDER BY id;

SELECT id, row_number() OVER (), count(*) OVER () FROM users WHERE id < 4 ORDER BY id;

SELECT id, lead(id, 1, 0) OVER (PARTITION BY team ORDER BY id) - id FROM users ORDER BY id;

SELECT id, first_value(id) OVER w, last_value(id) OVER w, nth_value(id, 2) OVER w FROM users WINDOW w AS (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) ORDER BY id LIMIT 3;
