package sql

import (
	"context"
	"strconv"
	"time"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/pgcatalog"
)

// Temporary tables are real catalog tables in a schema of their own per
// session (pgcatalog.TempSchemaPrefix + a number the engine hands out),
// created with the session's first temporary table. Name resolution looks
// there before the search path, as PostgreSQL does with pg_temp; the
// schema and its tables are dropped when the session closes, and schemas
// left behind by a crash are dropped when the engine starts.

// tempCleanupTimeout bounds the drop of a session's temporary tables at
// close, which runs after the client's context is gone.
const tempCleanupTimeout = 30 * time.Second

// onCommitAction is what ON COMMIT asks of a temporary table at the end
// of the transaction that created it (DROP) or at every commit (DELETE
// ROWS).
type onCommitAction struct {
	table *catalog.Table
	drop  bool // ON COMMIT DROP, else DELETE ROWS
}

// isTempCreate reports whether CREATE TABLE makes a temporary table:
// CREATE TEMP TABLE, or a table created in schema pg_temp.
func isTempCreate(rv *pg_query.RangeVar) bool {
	return rv.Relpersistence == "t" || rv.Schemaname == "pg_temp"
}

// ownTempSchema maps schema pg_temp to the session's temporary schema and
// refuses another session's; other names pass unchanged.
func (s *Session) ownTempSchema(schema string) (string, error) {
	switch {
	case schema == "pg_temp":
		return s.tempSchema, nil // "" when none: nothing is found
	case pgcatalog.IsTempSchema(schema) && schema != s.tempSchema:
		return "", pgerr.New(pgerr.FeatureNotSupported, "cannot access temporary tables of other sessions")
	}
	return schema, nil
}

// ensureTempSchema returns the session's temporary schema, creating it.
func (s *Session) ensureTempSchema(ctx context.Context) (string, error) {
	if s.tempSchema != "" {
		return s.tempSchema, nil
	}
	name := pgcatalog.TempSchemaPrefix + strconv.FormatUint(s.eng.tempSeq.Add(1), 10)
	if err := s.eng.cat.CreateSchema(ctx, name, true); err != nil {
		return "", err
	}
	s.tempSchema = name
	return name, nil
}

// createTempTable runs CREATE TEMPORARY TABLE: any role may make one, as
// it is private to the session.
func (s *Session) createTempTable(ctx context.Context, t *catalog.Table, cs *pg_query.CreateStmt) (*Result, error) {
	if t.Schema != "" && t.Schema != "pg_temp" {
		return nil, pgerr.New(pgerr.InvalidTableDefinition, "cannot create temporary relation in non-temporary schema")
	}
	if t.Type.PerUser() {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "temporary tables are shared tables: type %q does not apply", t.Type)
	}
	if cs.Oncommit == pg_query.OnCommitAction_ONCOMMIT_DROP && s.tx == nil {
		// Outside a transaction block the table would be dropped at once.
		return tagOnly("CREATE TABLE"), nil
	}
	schema, err := s.ensureTempSchema(ctx)
	if err != nil {
		return nil, err
	}
	def := *t
	def.Schema = schema
	def.Indexes = append([]catalog.Index(nil), t.Indexes...)
	s.nameUniqueIndexes(&def)
	created, ok, err := s.eng.cat.CreateTable(ctx, &def, cs.IfNotExists)
	if err != nil {
		return nil, err
	}
	if ok {
		switch cs.Oncommit {
		case pg_query.OnCommitAction_ONCOMMIT_DROP:
			s.onCommit = append(s.onCommit, onCommitAction{table: created, drop: true})
		case pg_query.OnCommitAction_ONCOMMIT_DELETE_ROWS:
			s.onCommit = append(s.onCommit, onCommitAction{table: created})
		}
	}
	return tagOnly("CREATE TABLE"), nil
}

// tempTablesAtEnd applies ON COMMIT actions when a transaction ends.
// DDL is not transactional here, so a rolled back transaction drops its
// ON COMMIT DROP tables too, as PostgreSQL's rollback of their creation
// does; a rollback needs no DELETE ROWS, having undone the inserts.
func (s *Session) tempTablesAtEnd(ctx context.Context, committed bool) {
	if len(s.onCommit) == 0 {
		return
	}
	keep := s.onCommit[:0]
	for _, a := range s.onCommit {
		cur, ok := s.eng.cat.TableByID(a.table.ID)
		if !ok {
			continue // dropped meanwhile
		}
		if a.drop {
			s.dropTempTable(ctx, cur)
			continue
		}
		if !committed {
			keep = append(keep, a)
			continue
		}
		if err := s.eng.dropTableData(ctx, cur); err != nil {
			s.eng.log.Warn("delete rows of temporary table", "table", cur.QualifiedName(), "err", err)
		}
		keep = append(keep, a)
	}
	s.onCommit = keep
}

func (s *Session) dropTempTable(ctx context.Context, t *catalog.Table) {
	if _, err := s.eng.cat.DropTable(ctx, t.Schema, t.Name, true); err != nil {
		s.eng.log.Warn("drop temporary table", "table", t.QualifiedName(), "err", err)
		return
	}
	if err := s.eng.dropTableData(ctx, t); err != nil {
		s.eng.log.Warn("drop temporary table data", "table", t.QualifiedName(), "err", err)
	}
}

// dropTempSchema drops the session's temporary tables at close.
func (s *Session) dropTempSchema() {
	if s.tempSchema == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), tempCleanupTimeout)
	defer cancel()
	s.eng.dropSchemaAndData(ctx, s.tempSchema)
	s.tempSchema, s.onCommit = "", nil
}

// dropSchemaAndData drops schema with its tables and their rows, logging
// failures: it runs where no client waits for an answer.
func (e *Engine) dropSchemaAndData(ctx context.Context, schema string) {
	tables, err := e.cat.DropSchema(ctx, schema, true, true)
	if err != nil {
		e.log.Warn("drop temporary schema", "schema", schema, "err", err)
		return
	}
	for _, t := range tables {
		if err := e.dropTableData(ctx, t); err != nil {
			e.log.Warn("drop temporary table data", "table", t.QualifiedName(), "err", err)
		}
	}
}

// dropOrphanTempSchemas drops the temporary schemas of sessions that did
// not close (a crash): no session of this engine owns one yet.
func (e *Engine) dropOrphanTempSchemas(ctx context.Context) {
	for _, sc := range e.cat.Schemas() {
		if pgcatalog.IsTempSchema(sc.Name) {
			e.dropSchemaAndData(ctx, sc.Name)
		}
	}
}
