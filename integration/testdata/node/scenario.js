// node-postgres client scenario for KalamDB, run by integration/node_test.go.
// Prints "SCENARIO OK" at the end; any failure exits non-zero.
'use strict';
const assert = require('assert');
const { Client } = require('pg');

const env = process.env;
const config = (password) => ({
  host: env.KDB_HOST, port: Number(env.KDB_PORT), user: env.KDB_USER,
  password, database: 'kalamdb', ssl: false,
});
const check = (what, got, want) => { assert.deepStrictEqual(got, want, what); console.log('ok', what); };

async function main() {
  const c = new Client(config(env.KDB_PASSWORD));
  await c.connect();
  const jc = new Client(config(env.KDB_TOKEN));
  await jc.connect();
  check('jwt login', (await jc.query('SELECT current_user AS u')).rows[0].u, env.KDB_USER);

  await c.query(`CREATE TABLE js_all (id bigint PRIMARY KEY, i integer, s smallint, ok boolean,
    f double precision, r real, n numeric, t text, v varchar(10), b bytea, j json, jb jsonb,
    u uuid, ts timestamp, tz timestamptz, d date)`);
  const ins = 'INSERT INTO js_all VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)';
  const tz = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 500));
  await c.query(ins, [1, 42, 7, true, 3.5, 1.25, '12345.678900', 'héllo', 'short', Buffer.from([0, 1, 255]),
    JSON.stringify({ a: [1, 2] }), { k: 'v' }, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    '2024-01-02 03:04:05.123456', tz, '2024-02-29']);
  await c.query(ins, [2, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null]);

  // Dates and timestamps as text, to compare without the local zone.
  const r = (await c.query({
    text: 'SELECT i, s, ok, f, r, n, t, v, b, j, jb, u, ts::text AS ts, tz, d::text AS d FROM js_all WHERE id = $1',
    values: [1],
  })).rows[0];
  check('integer', r.i, 42);
  check('smallint', r.s, 7);
  check('boolean', r.ok, true);
  check('double', r.f, 3.5);
  check('real', r.r, 1.25);
  check('numeric', r.n, '12345.678900');
  check('text', r.t, 'héllo');
  check('varchar', r.v, 'short');
  check('bytea', r.b, Buffer.from([0, 1, 255]));
  check('json', r.j, { a: [1, 2] });
  check('jsonb', r.jb, { k: 'v' });
  check('uuid', r.u, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
  check('timestamp', r.ts, '2024-01-02 03:04:05.123456');
  check('timestamptz', r.tz.getTime(), tz.getTime());
  check('date', r.d, '2024-02-29');
  const nulls = (await c.query('SELECT * FROM js_all WHERE id = $1', [2]));
  check('nulls', Object.values(nulls.rows[0]).slice(1), new Array(15).fill(null));
  check('fields', nulls.fields.slice(0, 3).map((f) => [f.name, f.dataTypeID]), [['id', 20], ['i', 23], ['s', 21]]);
  check('bigint as string', (await c.query('SELECT id FROM js_all WHERE id = $1', [2])).rows[0].id, '2');

  // A failing transaction rolls back.
  await c.query('BEGIN');
  await c.query('INSERT INTO js_all (id) VALUES ($1)', [3]);
  await assert.rejects(c.query('INSERT INTO js_all (id) VALUES ($1)', [1]), (e) => e.code === '23505');
  await assert.rejects(c.query('SELECT 1'), (e) => e.code === '25P02');
  await c.query('ROLLBACK');
  check('rolled back', (await c.query('SELECT count(*)::int AS n FROM js_all WHERE id = 3')).rows[0].n, 0);

  // LISTEN/NOTIFY.
  const got = new Promise((resolve) => c.on('notification', resolve));
  await c.query('LISTEN js_chan');
  await jc.query("SELECT pg_notify('js_chan', 'hello')");
  const n = await Promise.race([got, new Promise((_, rej) => setTimeout(() => rej(new Error('no notification')), 10000).unref())]);
  check('notify', [n.channel, n.payload], ['js_chan', 'hello']);

  // Metadata.
  const cols = (await c.query(`SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type
    FROM pg_attribute a WHERE a.attrelid = 'js_all'::regclass AND a.attnum > 0 ORDER BY a.attnum`)).rows;
  check('columns', cols.length, 16);
  check('varchar type', cols[8], { attname: 'v', type: 'character varying(10)' });

  await c.end();
  await jc.end();
  console.log('SCENARIO OK');
}

main().catch((e) => { console.error(e); process.exit(1); });
