package catalog

import (
	"context"
	"sort"

	"github.com/kalamdb/kalamdb/pgerr"
)

// User returns the named user.
func (c *Catalog) User(name string) (*UserInfo, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	u, ok := c.users[name]
	return u, ok
}

// Users returns every user, sorted by name.
func (c *Catalog) Users() []*UserInfo {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]*UserInfo, 0, len(c.users))
	for _, u := range c.users {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// CreateUser adds a user. A user id may not share its name with a schema.
func (c *Catalog) CreateUser(ctx context.Context, u UserInfo) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.users[u.Name]; ok {
		return errUserExists(u.Name)
	}
	if isReserved(u.Name) || u.Name == "public" {
		return pgerr.New(pgerr.ReservedName, "role name %q is reserved", u.Name)
	}
	if _, ok := c.schemas[u.Name]; ok {
		return pgerr.New(pgerr.DuplicateObject, "user id %q is a schema name; user ids and schema names may not collide", u.Name)
	}
	if err := c.write(ctx, map[string]any{keyUser + u.Name: &u}); err != nil {
		return err
	}
	c.users[u.Name] = &u
	return nil
}

// AlterUser applies change to a copy of the named user and stores it.
func (c *Catalog) AlterUser(ctx context.Context, name string, change func(*UserInfo) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	old, ok := c.users[name]
	if !ok {
		return errNoUser(name)
	}
	u := *old
	if err := change(&u); err != nil {
		return err
	}
	if err := c.write(ctx, map[string]any{keyUser + name: &u}); err != nil {
		return err
	}
	c.users[name] = &u
	return nil
}

// DropUser removes a user (root cannot be dropped). The user's partitions
// are left in place; erasing them is kalamdb_erase_user's job.
func (c *Catalog) DropUser(ctx context.Context, name string, ifExists bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.users[name]; !ok {
		if ifExists {
			return nil
		}
		return errNoUser(name)
	}
	if name == RootUser {
		return pgerr.New(pgerr.ObjectInUse, "cannot drop role %s: it is the superuser", name)
	}
	if err := c.write(ctx, nil, keyUser+name); err != nil {
		return err
	}
	delete(c.users, name)
	return nil
}
