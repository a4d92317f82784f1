"""psycopg2 client scenario for KalamDB, run by integration/psycopg2_test.go.

Prints "SCENARIO OK" at the end; any failure raises and exits non-zero.
"""
import datetime
import decimal
import os
import select
import uuid

import psycopg2
import psycopg2.errors
import psycopg2.extras

ENV = os.environ


def connect(password):
    return psycopg2.connect(host=ENV["KDB_HOST"], port=ENV["KDB_PORT"], user=ENV["KDB_USER"],
                            password=password, dbname="kalamdb", sslmode="disable")


def check(what, got, want):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))
    print("ok", what)


conn = connect(ENV["KDB_PASSWORD"])
jwt_conn = connect(ENV["KDB_TOKEN"])
jwt_conn.autocommit = True
with jwt_conn.cursor() as cur:
    cur.execute("SELECT current_user")
    check("jwt login", cur.fetchone()[0], ENV["KDB_USER"])

cur = conn.cursor()
cur.execute("""CREATE TABLE py_all (id bigint PRIMARY KEY, i integer, s smallint, ok boolean,
    f double precision, r real, n numeric, t text, v varchar(10), b bytea, j json, jb jsonb,
    u uuid, ts timestamp, tz timestamptz, d date)""")
conn.commit()

psycopg2.extras.register_uuid()
ts = datetime.datetime(2024, 1, 2, 3, 4, 5, 123456)
tz = datetime.datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=datetime.timezone.utc)
u = uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
row = (1, 42, 7, True, 3.5, 1.25, decimal.Decimal("12345.678900"), "héllo", "short",
       psycopg2.Binary(b"\x00\x01\xff"), psycopg2.extras.Json({"a": [1, 2]}),
       psycopg2.extras.Json({"k": "v"}), u, ts, tz, datetime.date(2024, 2, 29))
cur.execute("INSERT INTO py_all VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", row)
cur.execute("INSERT INTO py_all VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (2,) + (None,) * 15)
conn.commit()

cur.execute("SELECT i, s, ok, f, r, n, t, v, b, j, jb, u, ts, tz, d FROM py_all WHERE id = %s", (1,))
got = cur.fetchone()
check("integer", got[0], 42)
check("smallint", got[1], 7)
check("boolean", got[2], True)
check("double", got[3], 3.5)
check("real", got[4], 1.25)
check("numeric", got[5], decimal.Decimal("12345.678900"))
check("text", got[6], "héllo")
check("varchar", got[7], "short")
check("bytea", bytes(got[8]), b"\x00\x01\xff")
check("json", got[9], {"a": [1, 2]})
check("jsonb", got[10], {"k": "v"})
check("uuid", got[11], u)
check("timestamp", got[12], ts)
check("timestamptz", got[13], tz)
check("date", got[14], datetime.date(2024, 2, 29))
cur.execute("SELECT * FROM py_all WHERE id = %s", (2,))
check("nulls", cur.fetchone()[1:], (None,) * 15)
check("description", [d.name for d in cur.description][:3], ["id", "i", "s"])
conn.commit()

# A failing transaction rolls back as a whole.
try:
    cur.execute("INSERT INTO py_all (id) VALUES (3)")
    cur.execute("INSERT INTO py_all (id) VALUES (1)")
    raise AssertionError("duplicate key accepted")
except psycopg2.errors.UniqueViolation:
    conn.rollback()
cur.execute("SELECT count(*) FROM py_all WHERE id = 3")
check("rolled back", cur.fetchone()[0], 0)
conn.commit()

# A named cursor: DECLARE ... FETCH ... CLOSE underneath.
cur.execute("INSERT INTO py_all (id) SELECT generate_series(10, 109)")
conn.commit()
named = conn.cursor("big")
named.itersize = 7
named.execute("SELECT id FROM py_all WHERE id >= %s ORDER BY id", (10,))
ids = [r[0] for r in named]
check("named cursor", ids, list(range(10, 110)))
named.close()
conn.commit()

# COPY both ways.
import io
cur.copy_expert("COPY py_all (id, t) FROM STDIN WITH (FORMAT csv)", io.StringIO("200,copied\n201,\n"))
out = io.StringIO()
cur.copy_expert("COPY (SELECT id, t FROM py_all WHERE id >= 200 ORDER BY id) TO STDOUT", out)
check("copy", out.getvalue(), "200\tcopied\n201\t\\N\n")
conn.commit()

# LISTEN/NOTIFY.
conn.autocommit = True
cur.execute("LISTEN py_chan")
with jwt_conn.cursor() as c2:
    c2.execute("NOTIFY py_chan, 'hello'")
if select.select([conn], [], [], 10) == ([], [], []):
    raise AssertionError("no notification")
conn.poll()
n = conn.notifies.pop(0)
check("notify", (n.channel, n.payload), ("py_chan", "hello"))

# Metadata.
cur.execute("""SELECT column_name, data_type FROM information_schema.columns
    WHERE table_name = 'py_all' ORDER BY ordinal_position""")
cols = cur.fetchall()
check("columns", len(cols), 16)
check("column types", cols[15], ("d", "date"))
conn.close()
jwt_conn.close()
print("SCENARIO OK")
