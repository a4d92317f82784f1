-- tablefuncs: migrated from the original Go corpus.

SELECT * FROM generate_series(1, 5);

SELECT g FROM generate_series(10, 0, -3) g;

SELECT g * 2 FROM generate_series(1, 3) AS g(x), LATERAL (SELECT x AS g) s;

SELECT * FROM generate_series('2024-01-01 00:00'::timestamp, '2024-01-02 00:00', '6 hours');

SELECT * FROM generate_series('2024-01-30'::timestamptz, '2024-04-30', '1 month');

SELECT generate_series(1, 3);

SELECT id, generate_series(1, 2) FROM users WHERE id < 3 ORDER BY 1, 2;

SELECT generate_series(1, 3), generate_series(1, 2);

SELECT * FROM unnest(ARRAY[3, 1, 2]);

SELECT x, ordinality FROM unnest(ARRAY['a', 'b', 'c']) WITH ORDINALITY AS t(x);

SELECT unnest(ARRAY['x', 'y']);

SELECT u FROM unnest(ARRAY(SELECT name FROM users WHERE id < 4)) AS u ORDER BY u DESC;

SELECT value FROM jsonb_array_elements('[1, "two", {"three": 3}, null]');

SELECT value FROM jsonb_array_elements_text('[1, "two", null]');

SELECT key, value FROM jsonb_each('{"b": [1], "a": 1, "c": null}');

SELECT * FROM jsonb_each_text('{"b": 2, "a": "x"}');

SELECT jsonb_object_keys('{"z": 1, "a": 2}');

SELECT m.id, t.value FROM messages m, jsonb_array_elements_text(m.meta->'tags') t WHERE m.conversation_id = 2 ORDER BY m.id;

SELECT k, count(*) FROM messages m, jsonb_object_keys(m.meta) k GROUP BY k ORDER BY k;

