package catalog

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"

	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/pgerr"
)

// Views are stored as their SELECT text and expanded when a query names
// them, so a view always reads the current tables and never holds data.
// They share the relation namespace of their schema with tables and
// indexes.

const keyView = "catalog/view/"

// View is a named query.
type View struct {
	ID     uint32
	Schema string
	Name   string
	// Query is the SELECT statement's text, as deparsed at CREATE VIEW.
	Query string
	// Columns renames the query's leading columns (CREATE VIEW v (a, b)).
	Columns []string `json:",omitempty"`
}

// QualifiedName is schema.name.
func (v *View) QualifiedName() string { return v.Schema + "." + v.Name }

func viewKey(id uint32) string { return keyView + strconv.FormatUint(uint64(id), 10) }

// loadViews reads every stored view. Callers hold c.mu or own c.
func (c *Catalog) loadViews(txn *hotstore.Txn) error {
	c.views = map[string]*View{}
	return txn.ScanMeta([]byte(keyView), func(_, b []byte) error {
		var v View
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		c.views[v.QualifiedName()] = &v
		return nil
	})
}

// View returns the named view.
func (c *Catalog) View(schema, name string) (*View, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.views[schema+"."+name]
	return v, ok
}

// Views returns every view, ordered by schema and name.
func (c *Catalog) Views() []*View {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]*View, 0, len(c.views))
	for _, v := range c.views {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].QualifiedName() < out[j].QualifiedName() })
	return out
}

// CreateView stores v; with replace an existing view of that name is
// replaced (keeping its id).
func (c *Catalog) CreateView(ctx context.Context, v View, replace bool) (*View, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.schemas[v.Schema]; !ok {
		return nil, errNoSchema(v.Schema)
	}
	if old, ok := c.views[v.QualifiedName()]; ok {
		if !replace {
			return nil, errTableExists(v.Name)
		}
		v.ID = old.ID
	} else {
		if c.relationExists(v.Schema, v.Name) {
			return nil, errTableExists(v.Name)
		}
		v.ID = c.nextID
		c.nextID++
	}
	if err := c.write(ctx, map[string]any{viewKey(v.ID): v}); err != nil {
		return nil, err
	}
	c.views[v.QualifiedName()] = &v
	return &v, nil
}

// DropView removes a view; a missing one is an error unless ifExists.
func (c *Catalog) DropView(ctx context.Context, schema, name string, ifExists bool) (*View, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.views[schema+"."+name]
	if !ok {
		if ifExists {
			return nil, nil
		}
		if _, isTable := c.tables[schema+"."+name]; isTable {
			return nil, pgerr.New(pgerr.WrongObjectType, "%q is not a view", name)
		}
		return nil, pgerr.New(pgerr.UndefinedTable, "view %q does not exist", name)
	}
	if err := c.write(ctx, nil, viewKey(v.ID)); err != nil {
		return nil, err
	}
	delete(c.views, v.QualifiedName())
	return v, nil
}
