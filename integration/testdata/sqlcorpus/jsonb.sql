-- jsonb operators and functions.

SELECT '{"a": {"b": [1, 2]}}'::jsonb -> 'a', '{"a": 1}'::jsonb ->> 'a', '[10, 20, 30]'::jsonb -> 1, '[10, 20, 30]'::jsonb ->> -1, '{"a": 1}'::jsonb -> 'z';

SELECT '{"a": {"b": [1, {"c": "x"}]}}'::jsonb #> '{a,b,1}', '{"a": {"b": [1, {"c": "x"}]}}'::jsonb #>> '{a,b,1,c}', '{"a": 1}'::jsonb #> '{}', '{"a": 1}'::jsonb #>> '{z,y}';

SELECT id, meta -> 'tags', meta ->> 'lang', meta #> '{tags,0}', meta #>> '{tags,0}' FROM messages WHERE conversation_id = 1 ORDER BY id;

SELECT id, (meta ->> 'n')::int * 10 FROM messages WHERE conversation_id = 6 ORDER BY id;

SELECT '{"a": 1, "b": 2}'::jsonb @> '{"a": 1}', '{"a": 1}'::jsonb @> '{"a": 1, "b": 2}', '[1, 2, 3]'::jsonb @> '[3, 1]', '{"a": [1, 2]}'::jsonb @> '{"a": [2]}', '1'::jsonb @> '1';

SELECT '{"a": 1}'::jsonb <@ '{"a": 1, "b": 2}', '[1]'::jsonb <@ '[1, 2]', '{"x": 1}'::jsonb <@ '{"a": 1}';

SELECT count(*) FROM messages WHERE meta @> '{"tags": ["t1"]}';

SELECT conversation_id, id FROM messages WHERE '{"lang": "de"}' <@ meta AND conversation_id < 4 ORDER BY 1, 2;

SELECT '{"a": 1, "b": 2}'::jsonb ? 'a', '{"a": 1}'::jsonb ? 'z', '["x", "y"]'::jsonb ? 'x', '{"a": 1, "b": 2}'::jsonb ?| ARRAY['z', 'b'], '{"a": 1, "b": 2}'::jsonb ?& ARRAY['a', 'b'], '{"a": 1}'::jsonb ?& ARRAY['a', 'c'];

SELECT count(*) FROM messages WHERE meta ? 'lang' AND meta ?| ARRAY['nope', 'tags'];

SELECT jsonb_build_object('a', 1, 'b', 'two', 'c', NULL, 'd', true), jsonb_build_object(), jsonb_build_array(1, 'a', NULL, 2.5, false), jsonb_build_array();

SELECT jsonb_build_object('id', id, 'name', name, 'team', team) FROM users WHERE id <= 4 ORDER BY id;

SELECT jsonb_build_object('nested', jsonb_build_array(1, jsonb_build_object('x', 'y'))), jsonb_build_object('ts', '2024-01-01 10:00:00+00'::timestamptz);

SELECT jsonb_set('{"a": 1, "b": 2}', '{a}', '10'), jsonb_set('{"a": {"b": 1}}', '{a,c}', '"new"'), jsonb_set('[1, 2, 3]', '{1}', '"x"'), jsonb_set('{"a": 1}', '{z}', '5', false);

SELECT jsonb_set('{"a": [1, 2]}', '{a,0}', '{"k": true}'), jsonb_set('{"a": 1}', '{a,b}', '2'), jsonb_set('[1, 2]', '{5}', '3'), jsonb_set('[1, 2]', '{-1}', '9');

SELECT id, jsonb_set(meta, '{lang}', '"xx"') FROM messages WHERE conversation_id = 2 AND id < 3 ORDER BY id;

SELECT value FROM jsonb_array_elements('[{"a": 1}, [2], "s", 3.5, true]');

SELECT count(*), string_agg(t, ',' ORDER BY t) FROM jsonb_array_elements_text('["b", "a", "c"]') t;

SELECT m.conversation_id, m.id, e FROM messages m, jsonb_array_elements(m.meta -> 'tags') e WHERE m.conversation_id = 3 ORDER BY 1, 2;

SELECT key, value FROM jsonb_each('{"x": {"y": 1}, "a": [1, 2], "n": null}') ORDER BY key;

SELECT key, value FROM jsonb_each_text('{"x": {"y": 1}, "a": "str", "n": null, "b": false}') ORDER BY key;

SELECT k FROM jsonb_object_keys('{"b": 1, "a": 2, "c": {"d": 3}}') k ORDER BY k;

SELECT jsonb_typeof('{}'), jsonb_typeof('[]'), jsonb_typeof('1.5'), jsonb_typeof('"s"'), jsonb_typeof('true'), jsonb_typeof('null'), jsonb_typeof(NULL);

SELECT id, jsonb_typeof(meta -> 'n'), jsonb_typeof(meta -> 'tags'), jsonb_typeof(meta -> 'missing') FROM messages WHERE conversation_id = 1 ORDER BY id;

SELECT to_jsonb(1), to_jsonb('text'::text), to_jsonb(2.50), to_jsonb(true), to_jsonb(NULL::text), to_jsonb(ARRAY[1, 2]), to_jsonb('2024-01-02 03:04:05+00'::timestamptz);

SELECT to_jsonb(u.name), to_jsonb(u.score) FROM users u WHERE id IN (1, 5) ORDER BY id;

SELECT jsonb_array_length('[]'), jsonb_array_length('[1, [2, 3], {"a": 4}]'), jsonb_array_length(NULL);

SELECT id, jsonb_array_length(meta -> 'tags') FROM messages WHERE conversation_id = 7 ORDER BY id;

SELECT jsonb_agg(name ORDER BY id) FROM users WHERE team = 'red';

SELECT team, jsonb_agg(jsonb_build_object('id', id, 'age', age) ORDER BY id) FROM users GROUP BY team ORDER BY team;

SELECT jsonb_agg(x) FROM generate_series(1, 3) x WHERE x > 5;

SELECT jsonb_object_agg(title, kind ORDER BY id) FROM conversations WHERE id < 4;

SELECT kind, jsonb_object_agg(id, created_by) FROM conversations GROUP BY kind ORDER BY kind;

SELECT '{"b": 1, "a": 2}'::jsonb || '{"c": 3}', '[1]'::jsonb || '[2, 3]', '{"a": 1}'::jsonb || '{"a": 2}';

SELECT '{"a": 1}'::jsonb - 'a', '[1, 2, 3]'::jsonb - 0;

SELECT '{"a": 1}'::jsonb = '{"a": 1}'::jsonb, '{"a": 1, "b": 2}'::jsonb = '{"b": 2, "a": 1}', '[1, 2]'::jsonb = '[2, 1]', '1.0'::jsonb = '1'::jsonb;

SELECT '{"a":1,  "b" : [true,null]}'::jsonb, '{"a": 1, "a": 2}'::jsonb, '"\u00e9"'::jsonb, '1e3'::jsonb, '[]'::jsonb;

SELECT meta ->> 'lang' AS lang, count(*), sum((meta ->> 'n')::int) FROM messages GROUP BY 1 ORDER BY 1;

SELECT json_agg(id ORDER BY id) FROM users WHERE id < 4;

SELECT '{"z": 1, "a": 2}'::json, '{"a": 1}'::json -> 'a', '[1, 2]'::json ->> 1;

SELECT jsonb_each('{"a": 1, "b c": "x", "n": null, "e": ""}');

SELECT jsonb_each_text('{"a": 1, "b": "q\"s", "n": null}'), 1;

SELECT id, jsonb_each(meta) FROM messages WHERE conversation_id = 1 ORDER BY id;

