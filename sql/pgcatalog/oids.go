package pgcatalog

import "hash/fnv"

// PostgreSQL's fixed OIDs of the objects every database has.
const (
	oidPGCatalog    = 11
	oidPGToast      = 99
	oidInfoSchema   = 13000 // varies by PostgreSQL build; any free value below 16384
	oidBootstrap    = 10    // the bootstrap superuser (root here)
	oidDatabase     = 16383 // kalamdb: just below the first catalog id
	oidHeapAM       = 2
	oidBtreeAM      = 403
	oidDefaultColl  = 100
	oidCColl        = 950
	oidDefaultSpace = 1663
	oidClassClass   = 1259 // pg_class, the classid of relations
	oidClassProc    = 1255
	oidClassType    = 1247
	oidClassNsp     = 2615
	oidClassCon     = 2606
	oidLangInternal = 12
)

// Derived OIDs for objects KalamDB keeps no id for. Catalog ids count up
// from 16384 and stay far below 2^28, so each kind gets its own range.
const (
	pkeyBase    = 1 << 28 // the primary key's index, by table id
	conBase     = 2 << 28 // the primary key constraint, by table id
	rowTypeBase = 3 << 28 // a table's row type, by table id
	attrdefBase = 4 << 28 // a column default: table id << 10 | attnum
	roleBase    = 5 << 28 // roles, by name hash
)

func pkeyOID(table uint32) uint32    { return pkeyBase + table }
func conOID(table uint32) uint32     { return conBase + table }
func rowTypeOID(table uint32) uint32 { return rowTypeBase + table }
func attrdefOID(table uint32, attnum int) uint32 {
	return attrdefBase + (table<<10|uint32(attnum))&(1<<28-1)
}

// RoleOID is the OID of a user or role: 10 for root, as the bootstrap
// superuser, and a hash of the name for everyone else.
func RoleOID(name string) uint32 {
	if name == "root" {
		return oidBootstrap
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return roleBase + h.Sum32()&(1<<28-1)
}
