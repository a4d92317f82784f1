package pgcatalog

import (
	"sort"
	"time"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/types"
)

// The four KalamDB roles appear as group roles (no login) that every
// user is a member of through pg_auth_members, so \du shows "Member of".
var groupRoles = []auth.Role{auth.RoleUser, auth.RoleService, auth.RoleDBA, auth.RoleSystem}

// role is a pg_roles row in the making.
type role struct {
	name  string
	role  auth.Role
	login bool
}

func (v *View) roles() []role {
	var out []role
	users := v.Catalog.Users()
	taken := map[string]bool{}
	for _, u := range users {
		taken[u.Name] = true
	}
	for _, g := range groupRoles {
		if !taken[g.String()] {
			out = append(out, role{name: g.String(), role: g})
		}
	}
	for _, u := range users {
		out = append(out, role{name: u.Name, role: u.Role, login: true})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// RoleName is the name of the role with OID o ("" when none).
func (v *View) RoleName(o uint32) string {
	for _, r := range v.roles() {
		if RoleOID(r.name) == o {
			return r.name
		}
	}
	return ""
}

var pgRolesColumns = cols(
	"rolname", types.Name, "rolsuper", types.Bool, "rolinherit", types.Bool, "rolcreaterole", types.Bool,
	"rolcreatedb", types.Bool, "rolcanlogin", types.Bool, "rolreplication", types.Bool, "rolconnlimit", types.Int4,
	"rolpassword", types.Text, "rolvaliduntil", types.Timestamptz, "rolbypassrls", types.Bool,
	"rolconfig", types.TextArray, "oid", types.OIDType,
)

func (v *View) rolesRows() [][]any {
	var rows [][]any
	for _, r := range v.roles() {
		super := r.login && r.role == auth.RoleSystem
		admin := r.login && r.role >= auth.RoleDBA
		rows = append(rows, []any{r.name, super, true, admin, admin, r.login, false, int64(-1),
			"********", nil, super, nil, oid(RoleOID(r.name))})
	}
	return rows
}

var pgUserColumns = cols(
	"usename", types.Name, "usesysid", types.OIDType, "usecreatedb", types.Bool, "usesuper", types.Bool,
	"userepl", types.Bool, "usebypassrls", types.Bool, "passwd", types.Text, "valuntil", types.Timestamptz,
	"useconfig", types.TextArray,
)

func (v *View) userRows() [][]any {
	var rows [][]any
	for _, r := range v.roles() {
		if !r.login {
			continue
		}
		super := r.role == auth.RoleSystem
		rows = append(rows, []any{r.name, oid(RoleOID(r.name)), r.role >= auth.RoleDBA, super, false, super, "********", nil, nil})
	}
	return rows
}

var pgAuthMembersColumns = cols("roleid", types.OIDType, "member", types.OIDType, "grantor", types.OIDType,
	"admin_option", types.Bool)

func (v *View) authMembersRows() [][]any {
	var rows [][]any
	for _, r := range v.roles() {
		if r.login && r.name != r.role.String() {
			rows = append(rows, []any{oid(RoleOID(r.role.String())), oid(RoleOID(r.name)), oid(oidBootstrap), false})
		}
	}
	return rows
}

var pgDatabaseColumns = cols(
	"oid", types.OIDType, "datname", types.Name, "datdba", types.OIDType, "encoding", types.Int4,
	"datlocprovider", types.Char, "datistemplate", types.Bool, "datallowconn", types.Bool,
	"datconnlimit", types.Int4, "datfrozenxid", types.OIDType, "datminmxid", types.OIDType,
	"dattablespace", types.OIDType, "datcollate", types.Text, "datctype", types.Text,
	"daticulocale", types.Text, "datcollversion", types.Text, "datacl", types.TextArray,
)

func (v *View) databaseRows() [][]any {
	return [][]any{{oid(oidDatabase), v.Database, oid(oidBootstrap), int64(6), "c", false, true, int64(-1),
		oid(0), oid(0), oid(oidDefaultSpace), "C", "C", nil, nil, nil}}
}

var pgStatActivityColumns = cols(
	"datid", types.OIDType, "datname", types.Name, "pid", types.Int4, "leader_pid", types.Int4,
	"usesysid", types.OIDType, "usename", types.Name, "application_name", types.Text, "client_addr", types.Text,
	"client_hostname", types.Text, "client_port", types.Int4, "backend_start", types.Timestamptz,
	"xact_start", types.Timestamptz, "query_start", types.Timestamptz, "state_change", types.Timestamptz,
	"wait_event_type", types.Text, "wait_event", types.Text, "state", types.Text, "backend_xid", types.OIDType,
	"backend_xmin", types.OIDType, "query_id", types.Int8, "query", types.Text, "backend_type", types.Text,
)

func (v *View) activityRows() [][]any {
	if v.Activity == nil {
		return nil
	}
	var rows [][]any
	for _, a := range v.Activity() {
		var xact any
		if !a.XactStart.IsZero() {
			xact = a.XactStart
		}
		rows = append(rows, []any{oid(oidDatabase), v.Database, int64(a.PID), nil, oid(RoleOID(a.User)), a.User,
			a.Application, nullText(a.ClientAddr), nil, nil, timeOrNil(a.Started), xact, xact, xact,
			nil, nil, a.State, nil, nil, nil, a.Query, "client backend"})
	}
	return rows
}

var pgPreparedStatementsColumns = cols(
	"name", types.Text, "statement", types.Text, "prepare_time", types.Timestamptz,
	"parameter_types", types.RegtypeArray, "from_sql", types.Bool, "generic_plans", types.Int8,
	"custom_plans", types.Int8,
)

// preparedRows are the session's named protocol-level prepared
// statements; plans are not counted.
func (v *View) preparedRows() [][]any {
	if v.Prepared == nil {
		return nil
	}
	var rows [][]any
	for _, p := range v.Prepared() {
		params := make([]any, len(p.ParamTypes))
		for i, t := range p.ParamTypes {
			params[i] = oid(t)
		}
		rows = append(rows, []any{p.Name, p.Statement, timeOrNil(p.PrepareTime), params, false, int64(0), int64(0)})
	}
	return rows
}

func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

var pgSettingsColumns = cols(
	"name", types.Text, "setting", types.Text, "unit", types.Text, "category", types.Text,
	"short_desc", types.Text, "extra_desc", types.Text, "context", types.Text, "vartype", types.Text,
	"source", types.Text, "min_val", types.Text, "max_val", types.Text, "enumvals", types.TextArray,
	"boot_val", types.Text, "reset_val", types.Text, "sourcefile", types.Text, "sourceline", types.Int4,
	"pending_restart", types.Bool,
)

func (v *View) settingsRows() [][]any {
	if v.Settings == nil {
		return nil
	}
	var rows [][]any
	for _, s := range v.Settings() {
		rows = append(rows, []any{s.Name, s.Value, nil, "Ungrouped", "", nil, "user", "string",
			"session", nil, nil, nil, s.Value, s.Value, nil, nil, false})
	}
	return rows
}
