package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"sync"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/hotstore"
	"github.com/kalamdb/kalamdb/pgerr"
)

// Meta keys: one JSON document per object, plus the id counter.
const (
	keySchema = "catalog/schema/"
	keyTable  = "catalog/table/"
	keyUser   = "catalog/user/"
	keyNextID = "catalog/next-id"
)

// firstID leaves room below for PostgreSQL's built-in OIDs, so table and
// schema ids can double as OIDs in pg_catalog.
const firstID = 16384

// Catalog is the set of schemas, tables and users.
type Catalog struct {
	store *hotstore.Store

	// mu guards everything below. DDL holds it for writing across its
	// store commit, so DDL statements are serialized.
	mu      sync.RWMutex
	schemas map[string]*Schema
	tables  map[string]*Table // by schema.name
	byID    map[uint32]*Table
	users   map[string]*UserInfo
	views   map[string]*View // by schema.name (views.go)
	nextID  uint32
	version uint64
	// identMu serializes identity reservations (identity.go), which take
	// no part in DDL.
	identMu sync.Mutex // bumped by every change, so prepared plans can tell they are stale
}

// Version changes whenever any catalog object changes.
func (c *Catalog) Version() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.version
}

// Open loads the catalog from store, creating schema public and user root
// on first start.
func Open(ctx context.Context, store *hotstore.Store) (*Catalog, error) {
	c := &Catalog{
		store:   store,
		schemas: map[string]*Schema{},
		tables:  map[string]*Table{},
		byID:    map[uint32]*Table{},
		users:   map[string]*UserInfo{},
		nextID:  firstID,
	}
	if err := c.load(); err != nil {
		return nil, fmt.Errorf("load catalog: %w", err)
	}
	if _, ok := c.schemas["public"]; !ok {
		if err := c.CreateSchema(ctx, "public", true); err != nil {
			return nil, err
		}
	}
	if _, ok := c.users[RootUser]; !ok {
		if err := c.CreateUser(ctx, UserInfo{Name: RootUser, Role: auth.RoleSystem}); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Catalog) load() error {
	txn := c.store.Begin()
	defer txn.Discard()
	decode := func(prefix string, fn func([]byte) error) error {
		return txn.ScanMeta([]byte(prefix), func(_, v []byte) error { return fn(v) })
	}
	if err := decode(keySchema, func(v []byte) error {
		var s Schema
		if err := json.Unmarshal(v, &s); err != nil {
			return err
		}
		c.schemas[s.Name] = &s
		return nil
	}); err != nil {
		return err
	}
	if err := decode(keyTable, func(v []byte) error {
		var t Table
		if err := json.Unmarshal(v, &t); err != nil {
			return err
		}
		c.tables[t.QualifiedName()] = &t
		c.byID[t.ID] = &t
		return nil
	}); err != nil {
		return err
	}
	if err := decode(keyUser, func(v []byte) error {
		var u UserInfo
		if err := json.Unmarshal(v, &u); err != nil {
			return err
		}
		c.users[u.Name] = &u
		return nil
	}); err != nil {
		return err
	}
	if err := c.loadViews(txn); err != nil {
		return err
	}
	v, ok, err := txn.GetMeta([]byte(keyNextID))
	if err != nil {
		return err
	}
	if ok {
		n, err := strconv.ParseUint(string(v), 10, 32)
		if err != nil {
			return fmt.Errorf("next id %q: %w", v, err)
		}
		c.nextID = uint32(n)
	}
	return nil
}

// write persists a change: puts (key -> JSON of value) and deletes, with the
// id counter, in one durable transaction. Callers hold c.mu.
func (c *Catalog) write(ctx context.Context, puts map[string]any, deletes ...string) error {
	txn := c.store.Begin()
	defer txn.Discard()
	for k, v := range puts {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if err := txn.SetMeta([]byte(k), b); err != nil {
			return err
		}
	}
	for _, k := range deletes {
		if err := txn.DeleteMeta([]byte(k)); err != nil {
			return err
		}
	}
	if err := txn.SetMeta([]byte(keyNextID), []byte(strconv.FormatUint(uint64(c.nextID), 10))); err != nil {
		return err
	}
	if err := txn.Commit(ctx); err != nil {
		return err
	}
	c.version++
	return nil
}

// Schema returns the named schema.
func (c *Catalog) Schema(name string) (*Schema, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s, ok := c.schemas[name]
	return s, ok
}

// Schemas returns every schema, sorted by name.
func (c *Catalog) Schemas() []*Schema {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]*Schema, 0, len(c.schemas))
	for _, s := range c.schemas {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Table returns schema.name.
func (c *Catalog) Table(schema, name string) (*Table, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	t, ok := c.tables[schema+"."+name]
	return t, ok
}

// TableByID returns the table with id.
func (c *Catalog) TableByID(id uint32) (*Table, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	t, ok := c.byID[id]
	return t, ok
}

// Tables returns every table, sorted by qualified name.
func (c *Catalog) Tables() []*Table {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]*Table, 0, len(c.tables))
	for _, t := range c.tables {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].QualifiedName() < out[j].QualifiedName() })
	return out
}

// CreateSchema creates a schema. A schema may not share its name with a user.
func (c *Catalog) CreateSchema(ctx context.Context, name string, ifNotExists bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.schemas[name]; ok {
		if ifNotExists {
			return nil
		}
		return errSchemaExists(name)
	}
	if isReserved(name) {
		return pgerr.New(pgerr.ReservedName, "unacceptable schema name %q", name)
	}
	if _, ok := c.users[name]; ok {
		return pgerr.New(pgerr.DuplicateSchema, "schema name %q is a user id; user ids and schema names may not collide", name)
	}
	s := &Schema{Name: name, OID: c.nextID}
	c.nextID++
	if err := c.write(ctx, map[string]any{keySchema + name: s}); err != nil {
		return err
	}
	c.schemas[name] = s
	return nil
}

// DropSchema drops a schema; with cascade also its tables (whose data the
// caller drops from the store).
func (c *Catalog) DropSchema(ctx context.Context, name string, ifExists, cascade bool) (dropped []*Table, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.schemas[name]; !ok {
		if ifExists {
			return nil, nil
		}
		return nil, errNoSchema(name)
	}
	for _, t := range c.tables {
		if t.Schema == name {
			dropped = append(dropped, t)
		}
	}
	if len(dropped) > 0 && !cascade {
		return nil, pgerr.New(pgerr.DependentObjectsStillExist, "cannot drop schema %s because other objects depend on it", name)
	}
	deletes := []string{keySchema + name}
	for _, t := range dropped {
		deletes = append(deletes, tableKey(t.ID))
	}
	if err := c.write(ctx, nil, deletes...); err != nil {
		return nil, err
	}
	delete(c.schemas, name)
	for _, t := range dropped {
		delete(c.tables, t.QualifiedName())
		delete(c.byID, t.ID)
	}
	return dropped, nil
}

func tableKey(id uint32) string { return keyTable + strconv.FormatUint(uint64(id), 10) }

// CreateTable adds t, assigning its id and column ids. It returns false
// without error when the table exists and ifNotExists is set.
func (c *Catalog) CreateTable(ctx context.Context, t *Table, ifNotExists bool) (*Table, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.schemas[t.Schema]; !ok {
		return nil, false, errNoSchema(t.Schema)
	}
	if old, ok := c.tables[t.QualifiedName()]; ok {
		if ifNotExists {
			return old, false, nil
		}
		return nil, false, errTableExists(t.Name)
	}
	if c.relationExists(t.Schema, t.Name) {
		return nil, false, errTableExists(t.Name)
	}
	t = t.clone()
	t.ID = c.nextID
	c.nextID++
	for i := range t.Columns {
		t.Columns[i].ID = uint32(i + 1)
	}
	t.NextColumn = uint32(len(t.Columns) + 1)
	// Indexes given with the table (UNIQUE constraints) name columns by
	// their ids, which are position+1 in a new table.
	for i := range t.Indexes {
		name := t.Indexes[i].Name
		if name == t.Name || c.relationExists(t.Schema, name) {
			return nil, false, errTableExists(name)
		}
		for _, prev := range t.Indexes[:i] {
			if prev.Name == name {
				return nil, false, errTableExists(name)
			}
		}
		t.Indexes[i].ID = c.nextID
		c.nextID++
	}
	if err := c.write(ctx, map[string]any{tableKey(t.ID): t}); err != nil {
		return nil, false, err
	}
	c.tables[t.QualifiedName()] = t
	c.byID[t.ID] = t
	return t, true, nil
}

// DropTable removes a table's definition; the caller drops its data.
func (c *Catalog) DropTable(ctx context.Context, schema, name string, ifExists bool) (*Table, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.tables[schema+"."+name]
	if !ok {
		if ifExists {
			return nil, nil
		}
		return nil, errNoTable(name)
	}
	if err := c.write(ctx, nil, append(c.identityKeys(t), tableKey(t.ID))...); err != nil {
		return nil, err
	}
	delete(c.tables, t.QualifiedName())
	delete(c.byID, t.ID)
	return t, nil
}

// AlterTable applies change to a copy of schema.name and swaps it in.
func (c *Catalog) AlterTable(ctx context.Context, schema, name string, change func(*Table) error) (*Table, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old, ok := c.tables[schema+"."+name]
	if !ok {
		return nil, errNoTable(name)
	}
	t := old.clone()
	if err := change(t); err != nil {
		return nil, err
	}
	if t.QualifiedName() != old.QualifiedName() {
		if c.relationExists(t.Schema, t.Name) {
			return nil, errTableExists(t.Name)
		}
	}
	if err := c.write(ctx, map[string]any{tableKey(t.ID): t}); err != nil {
		return nil, err
	}
	delete(c.tables, old.QualifiedName())
	c.tables[t.QualifiedName()] = t
	c.byID[t.ID] = t
	return t, nil
}
