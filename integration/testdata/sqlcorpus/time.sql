-- Date and time: volatile values are compared by type or truncation only.

SELECT to_char(now(), 'TZ'), to_char(current_timestamp, 'TZ'), current_date - now()::date, now() = current_timestamp, now() - current_timestamp;

SELECT current_date = now()::date, date_trunc('year', now()) <= now(), now() > '2024-01-01'::timestamptz;

SELECT extract(year FROM now()) >= 2024, current_date - 1 < current_date, age(now(), now());

SELECT date_trunc('day', '2024-03-15 13:45:12.345'::timestamp), date_trunc('hour', '2024-03-15 13:45:12'::timestamp), date_trunc('month', '2024-03-15'::timestamp);

SELECT date_trunc('year', '2024-03-15 13:45:12'::timestamptz), date_trunc('minute', '2024-03-15 13:45:12'::timestamptz), date_trunc('week', '2024-03-15'::timestamp);

SELECT date_trunc('quarter', '2024-08-15'::timestamp), date_trunc('second', '2024-03-15 13:45:12.9'::timestamp), date_trunc('millisecond', '2024-03-15 13:45:12.98765'::timestamp);

SELECT date_trunc('hour', '2 days 3 hours 4 minutes'::interval), date_trunc('day', '2024-03-15'::date);

SELECT id, date_trunc('hour', created_at) FROM messages WHERE conversation_id = 2 ORDER BY id;

SELECT extract(year FROM '2024-03-15 13:45:12.5'::timestamp), extract(month FROM '2024-03-15'::date), extract(day FROM '2024-03-15'::timestamptz), extract(hour FROM '2024-03-15 13:45:12'::timestamp);

SELECT extract(minute FROM '2024-01-01 13:45:12'::timestamp), extract(second FROM '2024-03-15 13:45:12.5'::timestamp), extract(dow FROM '2024-03-17'::date), extract(doy FROM '2024-03-15'::date);

SELECT extract(epoch FROM '2024-01-01 00:00:00+00'::timestamptz), extract(epoch FROM '1 day'::interval), extract(quarter FROM '2024-11-01'::date), extract(week FROM '2024-01-01'::date);

SELECT extract(isodow FROM '2024-03-17'::date), extract(century FROM '2024-03-15'::date), extract(millisecond FROM '2024-03-15 13:45:12.5'::timestamp), extract(microseconds FROM '2024-03-15 13:45:12.5'::timestamp);

SELECT date_part('year', '2024-03-15'::timestamp), date_part('hour', '2024-03-15 08:00'::timestamptz), date_part('epoch', '2024-03-15'::date), date_part('day', '3 days 4 hours'::interval);

SELECT id, extract(hour FROM created_at), date_part('minute', created_at) FROM messages WHERE conversation_id = 4 ORDER BY id;

SELECT age('2024-03-15'::timestamp, '2023-01-10'::timestamp), age('2024-03-15 10:00'::timestamp, '2024-03-14 12:30'::timestamp), age('2024-01-31'::timestamp, '2024-02-29'::timestamp);

SELECT age('2024-03-15'::timestamptz, '2020-02-29'::timestamptz), age('2024-03-15'::date, '2024-01-15'::date), age('2000-01-01'::timestamp, '2000-01-01'::timestamp);

SELECT id, age('2025-01-01'::timestamptz, created_at) FROM users ORDER BY id LIMIT 4;

SELECT to_char('2024-03-05 14:07:09.123456'::timestamp, 'YYYY-MM-DD HH24:MI:SS'), to_char('2024-03-05 14:07:09.123456'::timestamp, 'YYYY-MM-DD"T"HH24:MI:SS.MS'), to_char('2024-03-05 14:07:09.123456'::timestamp, 'US');

SELECT to_char('2024-03-05 14:07:09'::timestamp, 'Mon DD, YYYY'), to_char('2024-03-05 14:07:09'::timestamp, 'Month'), to_char('2024-03-05 14:07:09'::timestamp, 'FMMonth FMDD'), to_char('2024-03-05'::timestamp, 'Day Dy');

SELECT to_char('2024-03-05 14:07:09'::timestamp, 'HH:MI AM'), to_char('2024-03-05 02:07:09'::timestamp, 'HH12:MI PM'), to_char('2024-03-05 00:00:00'::timestamp, 'HH12 am'), to_char('2024-03-05 12:30:00'::timestamp, 'HH12 pm');

SELECT to_char('2024-03-05 14:07:09+00'::timestamptz, 'YYYY-MM-DD HH24:MI:SS TZ'), to_char('2024-12-25'::date, 'DD/MM/YYYY'), to_char('2024-12-25'::date, 'FMDay, FMMonth FMDD');

SELECT id, to_char(created_at, 'YYYY-MM-DD HH24:MI') FROM messages WHERE conversation_id = 5 ORDER BY id;

SELECT to_char('2024-03-05 09:07:09'::timestamp, 'FMHH24:MI'), to_char('2024-03-05'::timestamp, 'YYYYMMDD'), to_char('2024-07-04'::timestamp, 'MONTH DAY DY MON');

SELECT to_timestamp(0), to_timestamp(1700000000), to_timestamp(1700000000.5), to_timestamp(-1);

SELECT make_interval(days => 10), make_interval(hours => 5, mins => 30), make_interval(1, 2, 3, 4, 5, 6, 7.5), make_interval(years => 1, months => -1);

SELECT make_interval(secs => 90.25), make_interval(weeks => 2), make_interval();

SELECT '2024-01-31'::date + 1, '2024-03-01'::date - 1, '2024-03-01'::date - '2024-01-01'::date, '2024-01-31'::date + '1 month'::interval;

SELECT '2024-01-31 10:00'::timestamp + '1 month'::interval, '2024-03-10 10:00'::timestamptz - '1 day 2 hours'::interval, '2024-01-01'::timestamp - '2023-12-25 12:00'::timestamp;

SELECT '1 day'::interval + '3 hours', '1 hour'::interval * 3, '1 day'::interval / 4, -'2 days'::interval, '1 year 2 months'::interval - '3 months';

SELECT '1 day'::interval > '23 hours'::interval, '1 day'::interval = '24 hours'::interval, '1 month'::interval = '30 days'::interval, '1 year'::interval < '400 days'::interval;

SELECT '90 minutes'::interval, '1.5 hours'::interval, '2 weeks'::interval, '1 year 13 months'::interval, '-1 day 2 hours'::interval;

SELECT id FROM messages WHERE created_at > '2024-02-05'::timestamptz + interval '12 hours' ORDER BY conversation_id, id LIMIT 5;

SELECT conversation_id, max(created_at) - min(created_at) FROM messages GROUP BY 1 ORDER BY 1;

SELECT '2024-03-15 12:00:00+00'::timestamptz AT TIME ZONE 'America/New_York', '2024-03-15 12:00:00+00'::timestamptz AT TIME ZONE 'Asia/Tokyo', '2024-07-01 12:00:00+00'::timestamptz AT TIME ZONE 'Europe/Paris';

SELECT '2024-03-15 12:00:00'::timestamp AT TIME ZONE 'America/New_York', '2024-03-15 12:00:00'::timestamp AT TIME ZONE 'UTC', '2024-01-15 08:30:00'::timestamp AT TIME ZONE 'Europe/Berlin';

SELECT '2024-03-15 12:00:00+00'::timestamptz AT TIME ZONE 'UTC' AS a, '2024-03-15 12:00:00'::timestamp AT TIME ZONE 'UTC' AS b, timezone('Asia/Kolkata', '2024-03-15 12:00:00+00'::timestamptz);

SELECT id, created_at AT TIME ZONE 'America/Los_Angeles' FROM users ORDER BY id LIMIT 3;

SELECT ('2024-03-15 12:00:00'::timestamp AT TIME ZONE 'Asia/Tokyo') AT TIME ZONE 'Asia/Tokyo', '2024-03-10 06:59:59+00'::timestamptz AT TIME ZONE 'America/New_York', '2024-03-10 07:00:00+00'::timestamptz AT TIME ZONE 'America/New_York';

SELECT '2024-02-29'::date, '2024-03-15 13:45:12.123456'::timestamp, '2024-03-15 13:45:12-07'::timestamptz, 'epoch'::timestamp, '2024-03-15'::date::timestamp;

SELECT '2024-03-15 13:45:12+00'::timestamptz::date, '2024-03-15 13:45:12'::timestamp::timestamptz, '2024-03-15 23:45:12+00'::timestamptz::timestamp, '2024-03-15'::timestamptz;

SELECT date_trunc('day', created_at) AS d, count(*) FROM messages GROUP BY d HAVING count(*) > 2 ORDER BY d DESC;

SELECT id, created_at FROM users WHERE created_at BETWEEN '2024-01-03' AND '2024-01-06' ORDER BY created_at DESC;
