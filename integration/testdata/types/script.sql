SET TimeZone = 'UTC';
CREATE TABLE typed (
    id integer PRIMARY KEY,
    b bigint, i integer, s smallint, flag boolean,
    d double precision, r real, n numeric,
    t text, v varchar(8), raw bytea, j json, jb jsonb, u uuid,
    ts timestamp, tz timestamptz, day date
);
INSERT INTO typed VALUES (1, 9223372036854775807, -2147483648, -32768, true,
    1.5e300, 0.25, 3.14159265358979323846, 'tab	and ''quote''', 'short', '\xdeadbeef',
    '{"k": [1, 2]}', '{"b": 1, "a": {"c": null}}', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
    '2024-02-29 23:59:59.999999', '2024-02-29 23:59:59.5+05:30', '2024-02-29');
INSERT INTO typed (id) VALUES (2);
\pset null '<null>'
SELECT b, i, s, flag FROM typed ORDER BY id;
SELECT d, r, n FROM typed WHERE id = 1;
SELECT t, v, raw FROM typed WHERE id = 1;
SELECT j, jb, u FROM typed WHERE id = 1;
SELECT ts, tz, day FROM typed WHERE id = 1;
SELECT '42'::integer + 1 AS sum, '2.5'::numeric * 2 AS prod, 'yes'::boolean AS yes, 7 / 2 AS intdiv;
DROP TABLE typed;
