package sql

import (
	"context"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/kalamdb/kalamdb/auth"
	"github.com/kalamdb/kalamdb/catalog"
	"github.com/kalamdb/kalamdb/pgerr"
)

// userChange is what CREATE/ALTER USER options ask for.
type userChange struct {
	password    *string // nil: unchanged; "" with clear: remove
	clear       bool
	role        *auth.Role
	ignoredOpts []string
}

// userOptions reads PASSWORD, IN ROLE and the PostgreSQL role attributes
// clients send (LOGIN, NOSUPERUSER, ...), which have no meaning here.
func userOptions(opts []*pg_query.Node) (userChange, error) {
	var c userChange
	for _, n := range opts {
		d := n.GetDefElem()
		switch d.Defname {
		case "password":
			if d.Arg == nil {
				c.clear = true
				continue
			}
			pw := defArg(d.Arg)
			c.password = &pw
		case "addroleto", "rolemembers":
			items := d.Arg.GetList().GetItems()
			if len(items) != 1 {
				return c, pgerr.New(pgerr.FeatureNotSupported, "a user has exactly one role: name one of user, service, dba, system")
			}
			r, err := auth.ParseRole(items[0].GetRoleSpec().Rolename)
			if err != nil {
				return c, pgerr.New(pgerr.UndefinedObject, "role %q does not exist: roles are user, service, dba and system", items[0].GetRoleSpec().Rolename)
			}
			c.role = &r
		case "canlogin", "inherit", "connectionlimit", "validUntil", "createdb", "createrole", "isreplication", "bypassrls":
			c.ignoredOpts = append(c.ignoredOpts, d.Defname)
		case "superuser":
			if defArg(d.Arg) == "1" || (d.Arg != nil && d.Arg.GetBoolean() != nil && d.Arg.GetBoolean().Boolval) {
				r := auth.RoleSystem
				c.role = &r
			}
		default:
			return c, pgerr.New(pgerr.FeatureNotSupported, "role option %q is not supported", d.Defname)
		}
	}
	return c, nil
}

// verifierFor stores a password as a SCRAM verifier; a client may send a
// ready verifier (psql's \password does), which is kept as is.
func verifierFor(pw string) (string, error) {
	v, err := auth.VerifierFor(pw)
	if err != nil {
		return "", err
	}
	return v.String(), nil
}

// grantable checks the session may hand out role r.
func (s *Session) grantable(r auth.Role) error {
	if err := s.requireRole(auth.RoleDBA, "manage users"); err != nil {
		return err
	}
	if r > s.effRole {
		return pgerr.New(pgerr.InsufficientPrivilege, "permission denied to grant role %s: above your own role %s", r, s.effRole)
	}
	return nil
}

func (s *Session) bindCreateUser(cr *pg_query.CreateRoleStmt) (plan, error) {
	c, err := userOptions(cr.Options)
	if err != nil {
		return nil, err
	}
	return utility(func(ctx context.Context, x *execCtx) (*Result, error) {
		u := catalog.UserInfo{Name: cr.Role, Role: auth.RoleUser}
		if c.role != nil {
			u.Role = *c.role
		}
		if err := s.grantable(u.Role); err != nil {
			return nil, err
		}
		if c.password != nil {
			if u.Verifier, err = verifierFor(*c.password); err != nil {
				return nil, err
			}
		}
		if err := s.eng.cat.CreateUser(ctx, u); err != nil {
			return nil, err
		}
		if cr.StmtType == pg_query.RoleStmtType_ROLESTMT_USER {
			return tagOnly("CREATE ROLE"), nil
		}
		return tagOnly("CREATE ROLE"), nil
	}), nil
}

func (s *Session) bindAlterUser(ar *pg_query.AlterRoleStmt) (plan, error) {
	c, err := userOptions(ar.Options)
	if err != nil {
		return nil, err
	}
	name := s.roleSpecName(ar.Role)
	return utility(func(ctx context.Context, x *execCtx) (*Result, error) {
		// Anyone may change their own password; everything else is for
		// dba and above.
		self := name == s.effUser && c.role == nil
		if !self {
			if err := s.requireRole(auth.RoleDBA, "alter user"); err != nil {
				return nil, err
			}
			if target, ok := s.eng.cat.User(name); ok && target.Role > s.effRole {
				return nil, pgerr.New(pgerr.InsufficientPrivilege, "permission denied to alter user %s", name)
			}
		}
		if c.role != nil {
			if err := s.grantable(*c.role); err != nil {
				return nil, err
			}
		}
		var verifier string
		if c.password != nil {
			if verifier, err = verifierFor(*c.password); err != nil {
				return nil, err
			}
		}
		err := s.eng.cat.AlterUser(ctx, name, func(u *catalog.UserInfo) error {
			if c.password != nil {
				u.Verifier = verifier
			}
			if c.clear {
				u.Verifier = ""
			}
			if c.role != nil {
				u.Role = *c.role
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		return tagOnly("ALTER ROLE"), nil
	}), nil
}

func (s *Session) roleSpecName(rs *pg_query.RoleSpec) string {
	switch rs.Roletype {
	case pg_query.RoleSpecType_ROLESPEC_CURRENT_USER, pg_query.RoleSpecType_ROLESPEC_CURRENT_ROLE:
		return s.effUser
	case pg_query.RoleSpecType_ROLESPEC_SESSION_USER:
		return s.sessionUser
	}
	return rs.Rolename
}

func (s *Session) bindDropUser(dr *pg_query.DropRoleStmt) (plan, error) {
	return utility(func(ctx context.Context, x *execCtx) (*Result, error) {
		if err := s.requireRole(auth.RoleDBA, "drop user"); err != nil {
			return nil, err
		}
		for _, n := range dr.Roles {
			name := s.roleSpecName(n.GetRoleSpec())
			if name == s.sessionUser || name == s.effUser {
				return nil, pgerr.New(pgerr.ObjectInUse, "current user cannot be dropped")
			}
			if u, ok := s.eng.cat.User(name); ok && u.Role > s.effRole {
				return nil, pgerr.New(pgerr.InsufficientPrivilege, "permission denied to drop user %s", name)
			}
			if err := s.eng.cat.DropUser(ctx, name, dr.MissingOk); err != nil {
				return nil, err
			}
		}
		return tagOnly("DROP ROLE"), nil
	}), nil
}

// bindGrantRole binds GRANT dba TO bob (and REVOKE dba FROM bob, which
// returns bob to role user): a user holds exactly one role.
func (s *Session) bindGrantRole(g *pg_query.GrantRoleStmt) (plan, error) {
	if len(g.GrantedRoles) != 1 {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "grant one role at a time")
	}
	roleName := g.GrantedRoles[0].GetAccessPriv().PrivName
	role, err := auth.ParseRole(roleName)
	if err != nil {
		return nil, pgerr.New(pgerr.UndefinedObject, "role %q does not exist: roles are user, service, dba and system", roleName)
	}
	return utility(func(ctx context.Context, x *execCtx) (*Result, error) {
		if err := s.grantable(role); err != nil {
			return nil, err
		}
		newRole := role
		if !g.IsGrant {
			newRole = auth.RoleUser
		}
		for _, n := range g.GranteeRoles {
			name := s.roleSpecName(n.GetRoleSpec())
			if u, ok := s.eng.cat.User(name); ok && u.Role > s.effRole {
				return nil, pgerr.New(pgerr.InsufficientPrivilege, "permission denied to change the role of %s", name)
			}
			if name == catalog.RootUser {
				return nil, pgerr.New(pgerr.InsufficientPrivilege, "the role of root cannot change")
			}
			if err := s.eng.cat.AlterUser(ctx, name, func(u *catalog.UserInfo) error {
				u.Role = newRole
				return nil
			}); err != nil {
				return nil, err
			}
		}
		if g.IsGrant {
			return tagOnly("GRANT ROLE"), nil
		}
		return tagOnly("REVOKE ROLE"), nil
	}), nil
}
