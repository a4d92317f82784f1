package sql

import (
	"context"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/pgerr"
)

// bindTruncate binds TRUNCATE [TABLE] t [, ...]: every row of every
// partition goes, with the index entries. Like other DDL here it takes
// effect at once, outside the session's transaction (PostgreSQL's
// TRUNCATE is transactional). RESTART IDENTITY and CASCADE change nothing:
// there are no sequences or foreign keys.
func (s *Session) bindTruncate(st *pg_query.TruncateStmt) (plan, error) {
	return utility(func(ctx context.Context, x *execCtx) (*Result, error) {
		if err := s.requireRole(ddlRole, "truncate"); err != nil {
			return nil, err
		}
		// Resolve every table first, so a bad name truncates nothing.
		var tables []*catalog.Table
		for _, n := range st.Relations {
			ref, err := s.resolveTable(n.GetRangeVar())
			if err != nil {
				return nil, err
			}
			if ref.addressed != "" {
				return nil, pgerr.New(pgerr.FeatureNotSupported, "TRUNCATE of one user's partition is not supported: use DELETE FROM %s.%s", ref.addressed, ref.t.Name)
			}
			tables = append(tables, ref.t)
		}
		for _, t := range tables {
			if err := s.eng.dropTableData(ctx, t); err != nil {
				return nil, err
			}
		}
		return tagOnly("TRUNCATE TABLE"), nil
	}), nil
}
