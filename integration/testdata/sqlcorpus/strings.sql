-- String functions and operators with PostgreSQL's text semantics (C collation).

SELECT lower('HeLLo'), upper('HeLLo'), lower(NULL), upper('ß x');

SELECT id, lower(name), upper(team) FROM users ORDER BY id;

SELECT length('hello'), char_length('héllo'), character_length(''), octet_length('héllo'), length(NULL::text);

SELECT id, length(body) FROM messages WHERE conversation_id = 2 ORDER BY id;

SELECT substr('abcdef', 2), substr('abcdef', 2, 3), substr('abcdef', 0, 2), substr('abcdef', -1, 3), substr('abc', 5);

SELECT substring('abcdef' FROM 3), substring('abcdef' FROM 2 FOR 2), substring('abcdef', 4, 10), substring('héllo' FROM 2 FOR 2);

SELECT position('c' IN 'abcabc'), position('z' IN 'abc'), position('' IN 'abc'), strpos('hello', 'll'), strpos('héllo', 'l');

SELECT name FROM users WHERE strpos(name, '1') > 0 ORDER BY name;

SELECT replace('a-b-c', '-', '+'), replace('aaa', 'a', 'bb'), replace('abc', '', 'x'), replace('abc', 'b', '');

SELECT trim('  x  '), ltrim('  x  '), rtrim('  x  '), trim(BOTH 'x' FROM 'xxaxx'), trim(LEADING 'x' FROM 'xxaxx'), trim(TRAILING 'x' FROM 'xxaxx');

SELECT btrim('xyaxy', 'xy'), ltrim('zzabc', 'z'), rtrim('abczz', 'z'), '[' || trim('') || ']';

SELECT split_part('a,b,c', ',', 2), split_part('a,b,c', ',', 4), split_part('a,b,c', ',', -1), split_part('', ',', 1), split_part('abc', '', 1);

SELECT id, split_part(body, '-', 2) FROM messages WHERE conversation_id = 1 ORDER BY id;

SELECT concat('a', 1, NULL, 2.5, true), concat_ws('-', 'a', NULL, 'b', 3), concat_ws(NULL, 'a', 'b');

SELECT id, concat(name, '/', team) FROM users ORDER BY id;

SELECT left('abcdef', 2), right('abcdef', 2), left('abc', -1), right('abc', -1), left('héllo', 2), right('abc', 10);

SELECT repeat('ab', 3), repeat('x', 0), repeat('x', -1), repeat('', 5);

SELECT reverse('abc'), reverse(''), reverse('héllo'), reverse(NULL);

SELECT md5('abc'), md5(''), md5('héllo');

SELECT id, md5(name) FROM users WHERE id <= 3 ORDER BY id;

SELECT format('Hello %s', 'world'), format('%s + %s = %s', 1, 2, 3), format('%s', NULL), format('no args');

SELECT format('%I', 'simple'), format('%I', 'Needs Quote'), format('%I', 'select'), format('%I', 'a"b');

SELECT format('%L', 'it''s'), format('%L', NULL), format('%L', 42), format('%L', 'back\slash');

SELECT format('INSERT INTO %I VALUES (%L, %s)', 'my table', 'O''Reilly', 7), format('%%literal%%'), format('%2$s %1$s', 'a', 'b');

SELECT id, format('%s is on %s', name, coalesce(team, 'no team')) FROM users WHERE id <= 4 ORDER BY id;

SELECT format('[%10s][%-10s]', 'right', 'left'), format('%s %s', 'x', 'y');

SELECT regexp_replace('foobarbaz', 'ba.', 'X'), regexp_replace('foobarbaz', 'ba.', 'X', 'g'), regexp_replace('FooFOO', 'foo', 'x', 'gi');

SELECT regexp_replace('abc123def456', '[0-9]+', '#', 'g'), regexp_replace('hello world', '(\w+) (\w+)', '\2 \1'), regexp_replace('aaa', 'a', 'b');

SELECT id, regexp_replace(body, '\d', '*', 'g') FROM messages WHERE conversation_id = 3 ORDER BY id;

SELECT regexp_replace('Hello', 'l', 'L', 'g'), regexp_replace('abc', 'x', 'y'), regexp_replace('a.b.c', '\.', '-', 'g');

SELECT starts_with('hello', 'he'), starts_with('hello', 'lo'), starts_with('', ''), starts_with(NULL, 'a');

SELECT name FROM users WHERE starts_with(name, 'user0') ORDER BY name DESC;

SELECT 'a' || 'b', 'a' || NULL, 'n' || 1, 1 || 'n', 'x' || 2.5 || true;

SELECT 'abc' LIKE 'a%', 'abc' LIKE '_b_', 'abc' NOT LIKE 'b%', 'ABC' ILIKE 'a%', 'ABC' NOT ILIKE '%b%', 'a%' LIKE 'a\%';

SELECT name FROM users WHERE name ILIKE 'USER1%' ORDER BY name;

SELECT 'abc' ~ 'b', 'abc' ~ '^b', 'ABC' ~* 'b', 'abc' !~ 'z', 'abc' !~* 'B';

SELECT title FROM conversations WHERE title ~ '[1-3]$' ORDER BY title;

SELECT id FROM messages WHERE body ~ '^msg 4-' ORDER BY id;

SELECT 'b' > 'a', 'B' > 'a', 'abc' < 'abd', 'a' < 'ab', '' < 'a', 'Z' < 'a';

SELECT upper(left(name, 1)) || substr(name, 2) FROM users ORDER BY id LIMIT 3;

SELECT length(repeat('é', 5)), octet_length(repeat('é', 5)), lower(upper('MiXeD'));

SELECT initcap('hello world');

SELECT 'x'::varchar(3), 'abc'::varchar(5) || '|';

SELECT 'abc'::char(5) || '|', length('ab '::char(4)), 'hello'::varchar(2);

SELECT 'abc'::char(5), 'hello'::char(2), 'ab'::char(4) = 'ab  '::char(4), 'ab'::char(4) = 'ab'::text, octet_length('ab'::char(4));

SELECT 'hello'::varchar(2), 'hello   '::varchar(5), CAST('héllo' AS varchar(2)), 'x'::character(3)::text || '|';

SELECT 'abc'::char(5) < 'abd'::char(2), 'a  '::char(3) LIKE 'a', char_length('a  '::char(3)), upper('ab'::char(4)) || '|';

SELECT 'ab'::char(4)::varchar(10) || '|', 'ab  '::varchar(4)::char(2) || '|', concat('ab'::char(4), '|'), 'ab'::char(4) || 1, initcap('hELLO wORLD-foo_bar 3rd x9y');
