package catalog

import "github.com/kalamdb/kalamdb/pgerr"

func errSchemaExists(name string) error {
	return pgerr.New(pgerr.DuplicateSchema, "schema %q already exists", name)
}

func errNoSchema(name string) error {
	return pgerr.New(pgerr.UndefinedSchema, "schema %q does not exist", name)
}

func errTableExists(name string) error {
	return pgerr.New(pgerr.DuplicateTable, "relation %q already exists", name)
}

func errNoTable(name string) error {
	return pgerr.New(pgerr.UndefinedTable, "relation %q does not exist", name)
}

func errUserExists(name string) error {
	return pgerr.New(pgerr.DuplicateObject, "role %q already exists", name)
}

func errNoUser(name string) error {
	return pgerr.New(pgerr.UndefinedObject, "role %q does not exist", name)
}
