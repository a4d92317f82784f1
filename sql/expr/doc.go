// Package expr compiles pg_query expression nodes into typed expressions
// that evaluate against a row with PostgreSQL 15's semantics: operator and
// function resolution with implicit promotion, untyped literals and $n
// parameters typed from their context, three-valued logic and
// PostgreSQL's SQLSTATEs and message wording.
//
// Compile, CompileAs and CompileBool are the entry points; a Scope resolves
// column names and aggregates, Params collects parameter types across a
// statement and Env carries what evaluation needs from the session.
// Values follow the table in package types.
//
// Caveats: regular expressions (~, regexp_replace) use Go's RE2 syntax,
// not PostgreSQL's ARE; to_char covers the date/time patterns
// (YYYY MM DD HH24 HH12 MI SS MS US Mon Month Day Dy AM/PM TZ Q, FM),
// not numeric formats; format() supports %s %I %L with positions and
// widths but not the * width;
// subqueries and window functions are rejected with 0A000; json values are
// handled through encoding/json on their canonical text.
//
// Literal-only subtrees that do not depend on the session (time zone,
// clock, user) are folded at compile time; a fold that fails is left in
// place so the error surfaces at evaluation, as PostgreSQL would when the
// branch is actually reached.
package expr
