package sql

import (
	"context"
	"math"
	"sync"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/pgerr"
	"github.com/kalamdb/kalamdb/sql/expr"
	"github.com/kalamdb/kalamdb/types"
)

// Identity columns take their values from a durable per-column counter
// (catalog.ReserveIdentity). The engine reserves identityBlock values at a
// time and hands them out from memory, like a sequence's cache: values
// rise within a run, and a restart skips what was left of a block.

const identityBlock = 32

// identityCache holds each identity column's reserved, unused values.
type identityCache struct {
	mu     sync.Mutex
	blocks map[[2]uint32]*identityRange // by table id, column id
}

type identityRange struct{ next, end int64 } // next < end while values remain

// next returns the column's next value.
func (e *Engine) nextIdentity(ctx context.Context, table, column uint32) (int64, error) {
	c := &e.idents
	c.mu.Lock()
	defer c.mu.Unlock()
	k := [2]uint32{table, column}
	r := c.blocks[k]
	if r == nil || r.next >= r.end {
		first, err := e.cat.ReserveIdentity(ctx, table, column, identityBlock)
		if err != nil {
			return 0, err
		}
		if c.blocks == nil {
			c.blocks = map[[2]uint32]*identityRange{}
		}
		r = &identityRange{next: first, end: first + identityBlock}
		c.blocks[k] = r
	}
	v := r.next
	r.next++
	return v, nil
}

// identityExpr is the default of an identity column: its next value.
type identityExpr struct {
	e       *Engine
	t       *catalog.Table
	col     int // index into t.Columns
	typ     types.Type
	maxVal  int64
	seqName string
}

func newIdentityExpr(e *Engine, t *catalog.Table, col int) *identityExpr {
	c := t.Columns[col]
	limit := int64(math.MaxInt64)
	switch c.Type.OID {
	case types.Int2:
		limit = math.MaxInt16
	case types.Int4:
		limit = math.MaxInt32
	}
	return &identityExpr{e: e, t: t, col: col, typ: c.Type, maxVal: limit, seqName: t.Name + "_" + c.Name + "_seq"}
}

func (x *identityExpr) Type() types.Type { return x.typ }

func (x *identityExpr) Eval(env *expr.Env, _ []any) (any, error) {
	// Expressions see no context but the running statement's.
	ctx := context.Background()
	if ec, ok := env.Exec.(*execCtx); ok && ec != nil && ec.ctx != nil {
		ctx = ec.ctx
	}
	v, err := x.e.nextIdentity(ctx, x.t.ID, x.t.Columns[x.col].ID)
	if err != nil {
		return nil, err
	}
	if v > x.maxVal {
		return nil, pgerr.New("2200H", "nextval: reached maximum value of sequence %q (%d)", x.seqName, x.maxVal)
	}
	return v, nil
}

// identityOption reads GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY for a
// column of type typ; sequence options are not supported.
func identityOption(c *pg_query.Constraint, name string, typ types.Type) (string, error) {
	switch typ.OID {
	case types.Int2, types.Int4, types.Int8:
	default:
		return "", pgerr.New(pgerr.InvalidParameterValue, "identity column type must be smallint, integer, or bigint")
	}
	if len(c.Options) > 0 {
		return "", pgerr.New(pgerr.FeatureNotSupported, "sequence options of identity column %q are not supported", name)
	}
	if c.GeneratedWhen == "a" {
		return catalog.IdentityAlways, nil
	}
	return catalog.IdentityByDefault, nil
}

// checkIdentityOverride rejects an explicit value for a GENERATED ALWAYS
// column, as PostgreSQL does without OVERRIDING SYSTEM VALUE.
func checkIdentityOverride(c catalog.Column, override pg_query.OverridingKind) error {
	if c.Identity != catalog.IdentityAlways || override == pg_query.OverridingKind_OVERRIDING_SYSTEM_VALUE {
		return nil
	}
	e := pgerr.New("428C9", "cannot insert a non-DEFAULT value into column %q", c.Name)
	e.Detail = "Column \"" + c.Name + "\" is an identity column defined as GENERATED ALWAYS."
	e.Hint = "Use OVERRIDING SYSTEM VALUE to override."
	return e
}

// applyIdentityOverride checks the explicit values given to identity
// columns: an error for GENERATED ALWAYS ones unless OVERRIDING SYSTEM
// VALUE (DEFAULT is always fine), and with OVERRIDING USER VALUE the
// VALUES items are dropped for the column's default.
func applyIdentityOverride(t *catalog.Table, override pg_query.OverridingKind, p *insertPlan) error {
	for j, i := range p.targets {
		c := t.Columns[i]
		if c.Identity == "" {
			continue
		}
		if override == pg_query.OverridingKind_OVERRIDING_USER_VALUE {
			for _, row := range p.values {
				if j < len(row) {
					row[j] = nil
				}
			}
			continue
		}
		explicit := p.source != nil
		for _, row := range p.values {
			explicit = explicit || (j < len(row) && row[j] != nil)
		}
		if explicit {
			if err := checkIdentityOverride(c, override); err != nil {
				return err
			}
		}
	}
	return nil
}
