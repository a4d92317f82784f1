package pgcatalog

import "github.com/kalamdb/kalamdb/types"

// pgCatalog holds the pg_catalog relations by name. OIDs of the ones
// PostgreSQL fixes are PostgreSQL's; the rest count from 12000.
var pgCatalog = registry(
	rel(PGCatalog, "pg_namespace", 2615, false, pgNamespaceColumns),
	rel(PGCatalog, "pg_class", 1259, false, pgClassColumns),
	rel(PGCatalog, "pg_attribute", 1249, false, pgAttributeColumns),
	rel(PGCatalog, "pg_type", 1247, false, pgTypeColumns),
	rel(PGCatalog, "pg_index", 2610, false, pgIndexColumns),
	rel(PGCatalog, "pg_constraint", 2606, false, pgConstraintColumns),
	rel(PGCatalog, "pg_attrdef", 2604, false, pgAttrdefColumns),
	rel(PGCatalog, "pg_proc", 1255, false, pgProcColumns),
	rel(PGCatalog, "pg_database", 1262, false, pgDatabaseColumns),
	rel(PGCatalog, "pg_roles", 12001, true, pgRolesColumns),
	rel(PGCatalog, "pg_user", 12002, true, pgUserColumns),
	rel(PGCatalog, "pg_auth_members", 1261, false, pgAuthMembersColumns),
	rel(PGCatalog, "pg_settings", 12003, true, pgSettingsColumns),
	rel(PGCatalog, "pg_description", 2609, false, cols("objoid", types.OIDType, "classoid", types.OIDType, "objsubid", types.Int4, "description", types.Text)),
	rel(PGCatalog, "pg_shdescription", 2396, false, cols("objoid", types.OIDType, "classoid", types.OIDType, "description", types.Text)),
	rel(PGCatalog, "pg_am", 2601, false, cols("oid", types.OIDType, "amname", types.Name, "amhandler", types.Name, "amtype", types.Char)),
	rel(PGCatalog, "pg_collation", 3456, false, cols("oid", types.OIDType, "collname", types.Name, "collnamespace", types.OIDType,
		"collowner", types.OIDType, "collprovider", types.Char, "collisdeterministic", types.Bool, "collencoding", types.Int4,
		"collcollate", types.Text, "collctype", types.Text, "colliculocale", types.Text, "collversion", types.Text)),
	rel(PGCatalog, "pg_inherits", 2611, false, cols("inhrelid", types.OIDType, "inhparent", types.OIDType, "inhseqno", types.Int4, "inhdetachpending", types.Bool)),
	rel(PGCatalog, "pg_extension", 3079, false, cols("oid", types.OIDType, "extname", types.Name, "extowner", types.OIDType,
		"extnamespace", types.OIDType, "extrelocatable", types.Bool, "extversion", types.Text, "extconfig", types.OIDArray, "extcondition", types.TextArray)),
	rel(PGCatalog, "pg_stat_activity", 12004, true, pgStatActivityColumns),
	rel(PGCatalog, "pg_prepared_statements", 12020, true, pgPreparedStatementsColumns),
	rel(PGCatalog, "pg_range", 3541, false, cols("rngtypid", types.OIDType, "rngsubtype", types.OIDType, "rngmultitypid", types.OIDType,
		"rngcollation", types.OIDType, "rngsubopc", types.OIDType, "rngcanonical", types.Name, "rngsubdiff", types.Name)),
	rel(PGCatalog, "pg_enum", 3501, false, cols("oid", types.OIDType, "enumtypid", types.OIDType, "enumsortorder", types.Float4, "enumlabel", types.Name)),
	rel(PGCatalog, "pg_tablespace", 1213, false, cols("oid", types.OIDType, "spcname", types.Name, "spcowner", types.OIDType, "spcacl", types.TextArray, "spcoptions", types.TextArray)),
	rel(PGCatalog, "pg_operator", 2617, false, cols("oid", types.OIDType, "oprname", types.Name, "oprnamespace", types.OIDType,
		"oprowner", types.OIDType, "oprkind", types.Char, "oprcanmerge", types.Bool, "oprcanhash", types.Bool, "oprleft", types.OIDType,
		"oprright", types.OIDType, "oprresult", types.OIDType, "oprcom", types.OIDType, "oprnegate", types.OIDType,
		"oprcode", types.Name, "oprrest", types.Name, "oprjoin", types.Name)),
	rel(PGCatalog, "pg_policy", 3256, false, cols("oid", types.OIDType, "polname", types.Name, "polrelid", types.OIDType, "polcmd", types.Char,
		"polpermissive", types.Bool, "polroles", types.OIDArray, "polqual", types.Text, "polwithcheck", types.Text)),
	rel(PGCatalog, "pg_statistic_ext", 3381, false, cols("oid", types.OIDType, "stxrelid", types.OIDType, "stxname", types.Name,
		"stxnamespace", types.OIDType, "stxowner", types.OIDType, "stxstattarget", types.Int4, "stxkeys", types.Int2Array, "stxkind", types.CharArray, "stxexprs", types.Text)),
	rel(PGCatalog, "pg_publication", 6104, false, cols("oid", types.OIDType, "pubname", types.Name, "pubowner", types.OIDType,
		"puballtables", types.Bool, "pubinsert", types.Bool, "pubupdate", types.Bool, "pubdelete", types.Bool, "pubtruncate", types.Bool, "pubviaroot", types.Bool)),
	rel(PGCatalog, "pg_publication_namespace", 6237, false, cols("oid", types.OIDType, "pnpubid", types.OIDType, "pnnspid", types.OIDType)),
	rel(PGCatalog, "pg_publication_rel", 6106, false, cols("oid", types.OIDType, "prpubid", types.OIDType, "prrelid", types.OIDType, "prqual", types.Text, "prattrs", types.Int2Array)),
	rel(PGCatalog, "pg_trigger", 2620, false, cols("oid", types.OIDType, "tgrelid", types.OIDType, "tgparentid", types.OIDType, "tgname", types.Name,
		"tgfoid", types.OIDType, "tgtype", types.Int2, "tgenabled", types.Char, "tgisinternal", types.Bool, "tgconstrrelid", types.OIDType,
		"tgconstrindid", types.OIDType, "tgconstraint", types.OIDType, "tgdeferrable", types.Bool, "tginitdeferred", types.Bool, "tgnargs", types.Int2)),
	rel(PGCatalog, "pg_rewrite", 2618, false, cols("oid", types.OIDType, "rulename", types.Name, "ev_class", types.OIDType, "ev_type", types.Char,
		"ev_enabled", types.Char, "is_instead", types.Bool, "ev_qual", types.Text, "ev_action", types.Text)),
	rel(PGCatalog, "pg_sequence", 2224, false, cols("seqrelid", types.OIDType, "seqtypid", types.OIDType, "seqstart", types.Int8,
		"seqincrement", types.Int8, "seqmax", types.Int8, "seqmin", types.Int8, "seqcache", types.Int8, "seqcycle", types.Bool)),
	rel(PGCatalog, "pg_foreign_table", 3118, false, cols("ftrelid", types.OIDType, "ftserver", types.OIDType, "ftoptions", types.TextArray)),
	rel(PGCatalog, "pg_event_trigger", 3466, false, cols("oid", types.OIDType, "evtname", types.Name, "evtevent", types.Name, "evtowner", types.OIDType, "evtfoid", types.OIDType, "evtenabled", types.Char)),
	rel(PGCatalog, "pg_language", 2612, false, cols("oid", types.OIDType, "lanname", types.Name, "lanowner", types.OIDType, "lanispl", types.Bool,
		"lanpltrusted", types.Bool, "lanplcallfoid", types.OIDType, "laninline", types.OIDType, "lanvalidator", types.OIDType, "lanacl", types.TextArray)),
	rel(PGCatalog, "pg_cast", 2605, false, cols("oid", types.OIDType, "castsource", types.OIDType, "casttarget", types.OIDType, "castfunc", types.OIDType, "castcontext", types.Char, "castmethod", types.Char)),
	rel(PGCatalog, "pg_depend", 2608, false, cols("classid", types.OIDType, "objid", types.OIDType, "objsubid", types.Int4, "refclassid", types.OIDType,
		"refobjid", types.OIDType, "refobjsubid", types.Int4, "deptype", types.Char)),
	rel(PGCatalog, "pg_views", 12005, true, cols("schemaname", types.Name, "viewname", types.Name, "viewowner", types.Name, "definition", types.Text)),
	rel(PGCatalog, "pg_matviews", 12006, true, cols("schemaname", types.Name, "matviewname", types.Name, "matviewowner", types.Name,
		"tablespace", types.Name, "hasindexes", types.Bool, "ispopulated", types.Bool, "definition", types.Text)),
	rel(PGCatalog, "pg_tables", 12007, true, pgTablesColumns),
	rel(PGCatalog, "pg_indexes", 12008, true, pgIndexesColumns),
	rel(PGCatalog, "pg_timezone_names", 12009, true, cols("name", types.Text, "abbrev", types.Text, "utc_offset", types.IntervalOID, "is_dst", types.Bool)),
)

// rows computes r's rows; relations without a case are always empty
// because KalamDB has no such objects.
func (v *View) rows(r *Relation) [][]any {
	if r.Schema == InformationSchema {
		return v.infoRows(r.Name)
	}
	switch r.Name {
	case "pg_namespace":
		return v.namespaceRows()
	case "pg_class":
		return v.classRows()
	case "pg_attribute":
		return v.attributeRows()
	case "pg_type":
		return v.typeRows()
	case "pg_index":
		return v.indexRows()
	case "pg_constraint":
		return v.constraintRows()
	case "pg_attrdef":
		return v.attrdefRows()
	case "pg_proc":
		return procRows()
	case "pg_database":
		return v.databaseRows()
	case "pg_roles":
		return v.rolesRows()
	case "pg_user":
		return v.userRows()
	case "pg_auth_members":
		return v.authMembersRows()
	case "pg_settings":
		return v.settingsRows()
	case "pg_stat_activity":
		return v.activityRows()
	case "pg_prepared_statements":
		return v.preparedRows()
	case "pg_views":
		return v.pgViewsRows()
	case "pg_tables":
		return v.pgTablesRows()
	case "pg_indexes":
		return v.pgIndexesRows()
	case "pg_am":
		return [][]any{{oid(oidHeapAM), "heap", "heap_tableam_handler", "t"}, {oid(oidBtreeAM), "btree", "bthandler", "i"},
			{oid(405), "hash", "hashhandler", "i"}, {oid(783), "gist", "gisthandler", "i"},
			{oid(2742), "gin", "ginhandler", "i"}, {oid(4000), "spgist", "spghandler", "i"}, {oid(3580), "brin", "brinhandler", "i"}}
	case "pg_collation":
		return [][]any{{oid(oidDefaultColl), "default", oid(oidPGCatalog), oid(oidBootstrap), "d", true, int64(-1), nil, nil, nil, nil},
			{oid(oidCColl), "C", oid(oidPGCatalog), oid(oidBootstrap), "c", true, int64(-1), "C", "C", nil, nil},
			{oid(951), "POSIX", oid(oidPGCatalog), oid(oidBootstrap), "c", true, int64(-1), "POSIX", "POSIX", nil, nil}}
	case "pg_tablespace":
		return [][]any{{oid(oidDefaultSpace), "pg_default", oid(oidBootstrap), nil, nil}, {oid(1664), "pg_global", oid(oidBootstrap), nil, nil}}
	case "pg_language":
		return [][]any{{oid(oidLangInternal), "internal", oid(oidBootstrap), false, false, oid(0), oid(0), oid(2246), nil},
			{oid(13), "c", oid(oidBootstrap), false, false, oid(0), oid(0), oid(2247), nil},
			{oid(14), "sql", oid(oidBootstrap), false, true, oid(0), oid(0), oid(2248), nil}}
	case "pg_timezone_names":
		return [][]any{{"UTC", "UTC", zeroInterval(), false}}
	}
	return nil
}

func zeroInterval() any { return types.Interval{} }
