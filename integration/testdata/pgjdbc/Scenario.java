// pgjdbc client scenario for KalamDB, run by integration/pgjdbc_test.go.
// Prints "SCENARIO OK" at the end; any failure exits non-zero.
import java.math.BigDecimal;
import java.sql.*;
import java.time.*;
import java.util.*;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

public class Scenario {
    static void check(String what, Object got, Object want) {
        if (!Objects.deepEquals(got, want)) {
            throw new AssertionError(what + ": got " + got + ", want " + want);
        }
        System.out.println("ok " + what);
    }

    static Connection connect(String password) throws SQLException {
        String url = "jdbc:postgresql://" + System.getenv("KDB_HOST") + ":" + System.getenv("KDB_PORT")
            + "/kalamdb?sslmode=disable";
        return DriverManager.getConnection(url, System.getenv("KDB_USER"), password);
    }

    public static void main(String[] args) throws Exception {
        Connection c = connect(System.getenv("KDB_PASSWORD"));
        Connection jc = connect(System.getenv("KDB_TOKEN"));
        try (ResultSet rs = jc.createStatement().executeQuery("SELECT current_user")) {
            rs.next();
            check("jwt login", rs.getString(1), System.getenv("KDB_USER"));
        }

        c.createStatement().execute("CREATE TABLE jdbc_all (id bigint PRIMARY KEY, i integer, s smallint, ok boolean,"
            + " f double precision, r real, n numeric, t text, v varchar(10), b bytea, j json, jb jsonb,"
            + " u uuid, ts timestamp, tz timestamptz, d date)");
        String ins = "INSERT INTO jdbc_all VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::json, ?::jsonb, ?, ?, ?, ?)";
        UUID u = UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        LocalDateTime ts = LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123456000);
        OffsetDateTime tz = OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 500000000, ZoneOffset.UTC);
        try (PreparedStatement ps = c.prepareStatement(ins)) {
            ps.setLong(1, 1);
            ps.setInt(2, 42);
            ps.setShort(3, (short) 7);
            ps.setBoolean(4, true);
            ps.setDouble(5, 3.5);
            ps.setFloat(6, 1.25f);
            ps.setBigDecimal(7, new BigDecimal("12345.678900"));
            ps.setString(8, "héllo");
            ps.setString(9, "short");
            ps.setBytes(10, new byte[] {0, 1, (byte) 255});
            ps.setString(11, "{\"a\": [1, 2]}");
            ps.setString(12, "{\"k\": \"v\"}");
            ps.setObject(13, u);
            ps.setObject(14, ts);
            ps.setObject(15, tz);
            ps.setObject(16, LocalDate.of(2024, 2, 29));
            check("insert", ps.executeUpdate(), 1);
            ps.setLong(1, 2);
            ps.setNull(2, Types.INTEGER);
            ps.setNull(3, Types.SMALLINT);
            ps.setNull(4, Types.BOOLEAN);
            ps.setNull(5, Types.DOUBLE);
            ps.setNull(6, Types.REAL);
            ps.setNull(7, Types.NUMERIC);
            ps.setNull(8, Types.VARCHAR);
            ps.setNull(9, Types.VARCHAR);
            ps.setNull(10, Types.BINARY);
            ps.setNull(11, Types.VARCHAR);
            ps.setNull(12, Types.VARCHAR);
            ps.setNull(13, Types.OTHER);
            ps.setNull(14, Types.TIMESTAMP);
            ps.setNull(15, Types.TIMESTAMP_WITH_TIMEZONE);
            ps.setNull(16, Types.DATE);
            check("insert nulls", ps.executeUpdate(), 1);
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM jdbc_all WHERE id = ?")) {
            ps.setLong(1, 1);
            ResultSet rs = ps.executeQuery();
            rs.next();
            check("integer", rs.getInt("i"), 42);
            check("smallint", rs.getShort("s"), (short) 7);
            check("boolean", rs.getBoolean("ok"), true);
            check("double", rs.getDouble("f"), 3.5);
            check("real", rs.getFloat("r"), 1.25f);
            check("numeric", rs.getBigDecimal("n"), new BigDecimal("12345.678900"));
            check("text", rs.getString("t"), "héllo");
            check("varchar", rs.getString("v"), "short");
            check("bytea", rs.getBytes("b"), new byte[] {0, 1, (byte) 255});
            check("json", rs.getString("j"), "{\"a\": [1, 2]}");
            check("jsonb", rs.getString("jb"), "{\"k\": \"v\"}");
            check("uuid", rs.getObject("u"), u);
            check("timestamp", rs.getObject("ts", LocalDateTime.class), ts);
            check("timestamptz", rs.getObject("tz", OffsetDateTime.class).toInstant(), tz.toInstant());
            check("date", rs.getObject("d", LocalDate.class), LocalDate.of(2024, 2, 29));
            ResultSetMetaData md = rs.getMetaData();
            check("metadata types", md.getColumnTypeName(2) + "," + md.getColumnTypeName(9) + "," + md.getColumnTypeName(13),
                "int4,varchar,uuid");
            ps.setLong(1, 2);
            rs = ps.executeQuery();
            rs.next();
            for (int i = 2; i <= 16; i++) {
                if (rs.getObject(i) != null) {
                    throw new AssertionError("column " + i + " not NULL");
                }
            }
            System.out.println("ok nulls");
        }

        // A failing transaction rolls back.
        c.setAutoCommit(false);
        Statement st = c.createStatement();
        st.executeUpdate("INSERT INTO jdbc_all (id) VALUES (3)");
        try {
            st.executeUpdate("INSERT INTO jdbc_all (id) VALUES (1)");
            throw new AssertionError("duplicate accepted");
        } catch (SQLException e) {
            check("duplicate", e.getSQLState(), "23505");
        }
        c.rollback();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM jdbc_all WHERE id = 3");
        rs.next();
        check("rolled back", rs.getLong(1), 0L);
        c.commit();

        // setFetchSize: the driver fetches through a suspended portal.
        st.executeUpdate("INSERT INTO jdbc_all (id) SELECT generate_series(10, 109)");
        c.commit();
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM jdbc_all WHERE id >= ? ORDER BY id")) {
            ps.setFetchSize(7);
            ps.setLong(1, 10);
            rs = ps.executeQuery();
            long n = 0, want = 10;
            while (rs.next()) {
                if (rs.getLong(1) != want++) {
                    throw new AssertionError("fetch order");
                }
                n++;
            }
            check("fetch size rows", n, 100L);
        }
        c.commit();
        c.setAutoCommit(true);

        // LISTEN/NOTIFY.
        c.createStatement().execute("LISTEN jdbc_chan");
        jc.createStatement().execute("NOTIFY jdbc_chan, 'hello'");
        PGNotification[] ns = c.unwrap(PGConnection.class).getNotifications(10000);
        check("notify", ns != null && ns.length == 1 ? ns[0].getName() + ":" + ns[0].getParameter() : null, "jdbc_chan:hello");

        // DatabaseMetaData.
        DatabaseMetaData dm = c.getMetaData();
        rs = dm.getTables(null, "public", "jdbc_%", new String[] {"TABLE"});
        List<String> tables = new ArrayList<>();
        while (rs.next()) {
            tables.add(rs.getString("TABLE_NAME") + "/" + rs.getString("TABLE_TYPE"));
        }
        check("getTables", tables, List.of("jdbc_all/TABLE"));
        rs = dm.getColumns(null, "public", "jdbc_all", null);
        List<String> cols = new ArrayList<>();
        while (rs.next()) {
            cols.add(rs.getString("COLUMN_NAME") + ":" + rs.getString("TYPE_NAME"));
        }
        check("getColumns count", cols.size(), 16);
        check("getColumns", cols.subList(0, 3), List.of("id:int8", "i:int4", "s:int2"));
        check("product", dm.getDatabaseProductName(), "PostgreSQL");

        c.close();
        jc.close();
        System.out.println("SCENARIO OK");
    }
}
