package catalog

import (
	"context"

	"github.com/kalamdb/kalamdb/pgerr"
)

// Indexes share the relation namespace of their schema with tables, as in
// PostgreSQL: an index may not take a table's name or another index's.

// relationExists reports whether name is a table or an index in schema.
// Callers hold c.mu.
func (c *Catalog) relationExists(schema, name string) bool {
	if _, ok := c.tables[schema+"."+name]; ok {
		return true
	}
	if _, ok := c.views[schema+"."+name]; ok {
		return true
	}
	_, _, ok := c.findIndex(schema, name)
	return ok
}

func (c *Catalog) findIndex(schema, name string) (*Table, int, bool) {
	for _, t := range c.tables {
		if t.Schema != schema {
			continue
		}
		for i := range t.Indexes {
			if t.Indexes[i].Name == name {
				return t, i, true
			}
		}
	}
	return nil, 0, false
}

// FindIndex returns the table holding the named index of schema.
func (c *Catalog) FindIndex(schema, name string) (*Table, *Index, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	t, i, ok := c.findIndex(schema, name)
	if !ok {
		return nil, nil, false
	}
	return t, &t.Indexes[i], true
}

// CreateIndex adds ix (without id) to schema.table and returns the new
// table snapshot and the index with its id. With ifNotExists, an existing
// relation of that name returns created=false and no error. The caller
// builds the index's entries.
func (c *Catalog) CreateIndex(ctx context.Context, schema, table string, ix Index, ifNotExists bool) (t *Table, out Index, created bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old, ok := c.tables[schema+"."+table]
	if !ok {
		return nil, Index{}, false, errNoTable(table)
	}
	if c.relationExists(schema, ix.Name) {
		if ifNotExists {
			return old, Index{}, false, nil
		}
		return nil, Index{}, false, errTableExists(ix.Name)
	}
	t = old.clone()
	ix.ID = c.nextID
	c.nextID++
	ix.Columns = append([]uint32(nil), ix.Columns...)
	t.Indexes = append(t.Indexes, ix)
	if err := c.write(ctx, map[string]any{tableKey(t.ID): t}); err != nil {
		return nil, Index{}, false, err
	}
	c.tables[t.QualifiedName()] = t
	c.byID[t.ID] = t
	return t, ix, true, nil
}

// DropIndex removes the named index of schema and returns it (nil when it
// does not exist and ifExists is set); the caller drops its entries.
func (c *Catalog) DropIndex(ctx context.Context, schema, name string, ifExists bool) (*Index, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old, i, ok := c.findIndex(schema, name)
	if !ok {
		if ifExists {
			return nil, nil
		}
		return nil, pgerr.New(pgerr.UndefinedObject, "index %q does not exist", name)
	}
	ix := old.Indexes[i]
	t := old.clone()
	t.Indexes = append(t.Indexes[:i], t.Indexes[i+1:]...)
	if err := c.write(ctx, map[string]any{tableKey(t.ID): t}); err != nil {
		return nil, err
	}
	c.tables[t.QualifiedName()] = t
	c.byID[t.ID] = t
	return &ix, nil
}
