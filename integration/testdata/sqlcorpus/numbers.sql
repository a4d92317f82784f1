-- Numeric functions and integer / numeric / float arithmetic.

SELECT abs(-5), abs(5), abs(-2.5), abs(-1.5::double precision), abs(-3::smallint), abs(NULL::int);

SELECT round(2.5), round(-2.5), round(2.567, 2), round(1234.5, -2), round(2.5::double precision), round(3.5::double precision), round(0.5::real);

SELECT round(12.3456, 0), round(-0.005, 2), round(12, 2), round(score) FROM users WHERE id = 3;

SELECT ceil(1.2), ceil(-1.2), ceiling(2.0), floor(1.8), floor(-1.2), ceil(1.5::double precision), floor(-0.5::double precision);

SELECT id, ceil(score), floor(score), round(score::numeric, 1) FROM users ORDER BY id;

SELECT mod(10, 3), mod(-10, 3), mod(10, -3), mod(10.5, 3), mod(7::smallint, 2::smallint), 10 % 4, -7 % 2;

SELECT power(2, 10), power(2.0, 0.5), power(2, -1), pow(9, 0.5), power(2::numeric, 3), 2 ^ 3;

SELECT sqrt(16), sqrt(2), sqrt(2.0), sqrt(0), |/ 25.0;

SELECT trunc(2.7), trunc(-2.7), trunc(2.789, 2), trunc(5::double precision);

SELECT random() >= 0 AND random() < 1, random() * 0;

SELECT count(*) FROM generate_series(1, 50) WHERE random() BETWEEN 0 AND 1;

SELECT 7 / 2, -7 / 2, 7.0 / 2, 7 / 2.0, 1 / 3.0, 10.0 / 4, 2::numeric / 3;

SELECT 1.0 / 3 * 3, 0.1 + 0.2, 0.1::double precision + 0.2, 1e300 * 10, 2.5::real * 2;

SELECT 5 + 2.5, 5::smallint + 1, 5::bigint * 2, 3 - 10, -(-3), +4, 2 * -3;

SELECT id, age, age / 3, age % 3, age * 1.5, age::double precision / 7 FROM users ORDER BY id;

SELECT 1::numeric(10, 2), 3.14159::numeric(5, 2), 123.456::numeric(6, 1), '0.125'::numeric(4, 2);

SELECT 2147483647::bigint + 1, -2147483648::bigint - 1, 32767::integer + 1, 9223372036854775807::numeric + 1;

SELECT 1e15::bigint, 2.5::integer, 3.5::integer, -2.5::integer, '7'::smallint, 1.5::bigint;

SELECT 'NaN'::double precision, 'Infinity'::double precision, '-Infinity'::double precision < 0, 'nan'::numeric;

SELECT greatest(1, 5, 3), least(1, 5, 3), greatest(1, NULL, 3), least(NULL::int, NULL), greatest(1.5, 2), least('b', 'a', 'c');

SELECT id, greatest(age, 30), least(score, 5) FROM users ORDER BY id;

SELECT 10 BETWEEN 1 AND 10, 11 BETWEEN 1 AND 10, 5 BETWEEN SYMMETRIC 10 AND 1, 5 NOT BETWEEN 1 AND 3;

SELECT 3 IN (1, 2, 3), 4 IN (1, 2, 3), 4 IN (1, NULL), 4 NOT IN (1, 2), 4 NOT IN (1, NULL);

SELECT sum(x), avg(x), min(x), max(x) FROM generate_series(1, 100) x;

SELECT sum(x::numeric) / 7, avg(x::double precision) FROM generate_series(1, 10) x;

SELECT 123::text, 1.50::text, 1e20::double precision::text, (1.0 / 3)::text, 100::numeric::text;

SELECT '12'::integer + '3'::integer, '1.5'::numeric * 2, '  42  '::integer, '-0'::integer;

SELECT 9007199254740993::double precision, 0.1::real::double precision, 1.1::real;

SELECT abs(-9223372036854775807), abs(-32767::smallint);

SELECT 5 & 3, 5 | 3, 5 # 3, ~5, 1 << 4, 256 >> 2;
