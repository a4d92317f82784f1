package sql

import (
	"strconv"
	"strings"
	"time"

	"github.com/kalamdb/kalamdb/pgerr"
)

// setting describes one run-time parameter a client may SET or SHOW.
type setting struct {
	name     string // canonical spelling, as SHOW ALL prints it
	def      string
	reported bool // sent as ParameterStatus when it changes
	readOnly bool
	// check validates and normalizes a new value.
	check func(s *Session, v string) (string, error)
}

// settingsTable lists the parameters clients send. Names are looked up
// case-insensitively; anything else is 42704, as in PostgreSQL.
func settingsTable() []setting {
	return []setting{
		{name: "application_name", reported: true},
		{name: "client_encoding", def: "UTF8", reported: true, check: checkEncoding},
		{name: "DateStyle", def: "ISO, MDY", reported: true, check: checkDateStyle},
		{name: "IntervalStyle", def: "postgres", reported: true, check: checkOneOf("postgres")},
		{name: "TimeZone", def: "UTC", reported: true, check: checkTimeZone},
		{name: "extra_float_digits", def: "1", check: checkInt},
		{name: "search_path", def: `"$user", public`},
		{name: "statement_timeout", def: "0", check: checkDuration},
		{name: "lock_timeout", def: "0", check: checkDuration},
		{name: "log_statement", def: "none", check: checkOneOf("none", "ddl", "mod", "all")},
		{name: "work_mem", def: "256MB", check: checkMemSize},
		{name: "idle_in_transaction_session_timeout", def: "0", check: checkDuration},
		{name: "client_min_messages", def: "notice"},
		{name: "bytea_output", def: "hex", check: checkOneOf("hex")},
		{name: "default_transaction_isolation", def: "read committed"},
		{name: "transaction_isolation", def: "read committed"},
		{name: "default_transaction_read_only", def: "off"},
		{name: "transaction_read_only", def: "off"},
		{name: "synchronous_commit", def: "on"},
		{name: "row_security", def: "on"},
		{name: "jit", def: "off"},
		{name: "lc_messages", def: "C"},
		{name: "lc_monetary", def: "C"},
		{name: "lc_numeric", def: "C"},
		{name: "lc_time", def: "C"},
		{name: "standard_conforming_strings", def: "on", reported: true, readOnly: true},
		{name: "integer_datetimes", def: "on", reported: true, readOnly: true},
		{name: "server_encoding", def: "UTF8", reported: true, readOnly: true},
		{name: "server_version", def: "15.8", reported: true, readOnly: true},
		{name: "server_version_num", def: "150008", readOnly: true},
		{name: "max_identifier_length", def: "63", readOnly: true},
		{name: "is_superuser", reported: true, readOnly: true},
		{name: "session_authorization", reported: true, readOnly: true},
	}
}

// settingDefs is the parameter table, built once per engine and shared
// by its sessions (each session keeps only its values).
type settingDefs struct {
	list   []setting
	byName map[string]int // lower-case name -> index in list
}

func newSettingDefs() *settingDefs {
	d := &settingDefs{list: settingsTable(), byName: map[string]int{}}
	for i, st := range d.list {
		d.byName[strings.ToLower(st.name)] = i
	}
	return d
}

// settings holds a session's parameter values, indexed like defs.list.
type settings struct {
	defs    *settingDefs
	values  []string
	sent    []string          // last value reported to the client
	startup map[string]string // values the client sent at startup: RESET's target; nil when none
	changed bool              // a value changed since the last report
	// reportedOnce is set after the first report, which sends every
	// reported parameter.
	reportedOnce bool
}

func newSettings(defs *settingDefs) *settings {
	st := &settings{defs: defs, values: make([]string, len(defs.list)), sent: make([]string, len(defs.list)), changed: true}
	for i := range defs.list {
		st.values[i] = defs.list[i].def
	}
	return st
}

func (st *settings) index(name string) (int, error) {
	i, ok := st.defs.byName[strings.ToLower(name)]
	if !ok {
		return 0, pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter %q", name)
	}
	return i, nil
}

func (st *settings) lookup(name string) (*setting, error) {
	i, err := st.index(name)
	if err != nil {
		return nil, err
	}
	return &st.defs.list[i], nil
}

// get returns a parameter's value.
func (st *settings) get(name string) (string, bool) {
	i, ok := st.defs.byName[strings.ToLower(name)]
	if !ok {
		return "", false
	}
	return st.values[i], true
}

// put stores a parameter's value without validation (restoring an old one).
func (st *settings) put(name, v string) {
	if i, ok := st.defs.byName[strings.ToLower(name)]; ok {
		st.values[i] = v
		st.changed = true
	}
}

// rememberStartup records a value the client sent in the startup packet.
func (st *settings) rememberStartup(name, v string) {
	if st.startup == nil {
		st.startup = map[string]string{}
	}
	st.startup[strings.ToLower(name)] = v
}

// set changes a parameter after validating it. internal bypasses the
// read-only check (the session sets is_superuser itself).
func (s *Session) set(name, value string, internal bool) error {
	d, err := s.settings.lookup(name)
	if err != nil {
		return err
	}
	if d.readOnly && !internal {
		return pgerr.New(pgerr.CantChangeRuntimeParam, "parameter %q cannot be changed", d.name)
	}
	if d.check != nil {
		if value, err = d.check(s, value); err != nil {
			return err
		}
	}
	s.settings.put(d.name, value)
	if d.name == "default_transaction_read_only" {
		s.followDefaultReadOnly()
	}
	return nil
}

// reset restores a parameter to its value at session start: the one the
// client sent in the startup packet, else the default.
func (s *Session) reset(name string) error {
	d, err := s.settings.lookup(name)
	if err != nil {
		return err
	}
	if d.readOnly {
		return pgerr.New(pgerr.CantChangeRuntimeParam, "parameter %q cannot be changed", d.name)
	}
	v, ok := s.settings.startup[strings.ToLower(d.name)] // nil map: not found
	if !ok {
		v = d.def
	}
	return s.set(d.name, v, false)
}

// ReportedChanges returns reported parameters whose value changed since the
// previous call (all of them on the first call).
func (s *Session) ReportedChanges() []Param {
	st := s.settings
	if !st.changed {
		return nil // the common case: nothing to compare
	}
	st.changed = false
	var out []Param
	for i := range st.defs.list {
		d := &st.defs.list[i]
		if !d.reported || (st.reportedOnce && st.sent[i] == st.values[i]) {
			continue
		}
		st.sent[i] = st.values[i]
		out = append(out, Param{Name: d.name, Value: st.values[i]})
	}
	st.reportedOnce = true
	return out
}

func checkEncoding(_ *Session, v string) (string, error) {
	switch strings.ToUpper(strings.ReplaceAll(v, "-", "")) {
	case "UTF8", "UNICODE":
		return "UTF8", nil
	}
	return "", pgerr.New(pgerr.FeatureNotSupported, "client encoding %q is not supported: KalamDB speaks UTF8 only", v)
}

func checkDateStyle(_ *Session, v string) (string, error) {
	for _, part := range strings.Split(v, ",") {
		switch strings.ToUpper(strings.TrimSpace(part)) {
		case "ISO", "MDY", "":
		default:
			return "", pgerr.New(pgerr.FeatureNotSupported, "DateStyle %q is not supported: only ISO, MDY", v)
		}
	}
	return "ISO, MDY", nil
}

func checkOneOf(allowed ...string) func(*Session, string) (string, error) {
	return func(_ *Session, v string) (string, error) {
		for _, a := range allowed {
			if strings.EqualFold(v, a) {
				return a, nil
			}
		}
		return "", pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter: %q", v)
	}
}

func checkInt(_ *Session, v string) (string, error) {
	if _, err := strconv.Atoi(strings.TrimSpace(v)); err != nil {
		return "", pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter: %q", v)
	}
	return strings.TrimSpace(v), nil
}

func checkTimeZone(s *Session, v string) (string, error) {
	loc, err := loadLocation(v)
	if err != nil {
		return "", err
	}
	s.loc = loc
	return v, nil
}

// loadLocation accepts IANA names, UTC/GMT and numeric offsets in hours
// ("+02", "-5:30"), as PostgreSQL's TimeZone does (POSIX sign rules aside:
// a bare number is hours east of UTC, as in SET TIME ZONE 2).
func loadLocation(v string) (*time.Location, error) {
	switch strings.ToUpper(v) {
	case "UTC", "GMT", "Z", "ZULU", "LOCAL":
		return time.UTC, nil
	}
	if loc, err := time.LoadLocation(v); err == nil {
		return loc, nil
	}
	if h, m, ok := parseOffset(v); ok {
		return time.FixedZone(v, (h*60+m)*60), nil
	}
	return nil, pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter \"TimeZone\": %q", v)
}

func parseOffset(v string) (hours, minutes int, ok bool) {
	sign := 1
	switch {
	case strings.HasPrefix(v, "+"):
		v = v[1:]
	case strings.HasPrefix(v, "-"):
		sign, v = -1, v[1:]
	}
	hs, ms, _ := strings.Cut(v, ":")
	h, err := strconv.Atoi(hs)
	if err != nil || h > 15 {
		return 0, 0, false
	}
	m := 0
	if ms != "" {
		if m, err = strconv.Atoi(ms); err != nil || m > 59 {
			return 0, 0, false
		}
	}
	return sign * h, sign * m, true
}

// checkMemSize accepts a memory size: kB by default, or with a unit
// (kB, MB, GB), as PostgreSQL's work_mem does.
func checkMemSize(_ *Session, v string) (string, error) {
	if n, ok := parseMemSize(v); !ok || n <= 0 {
		return "", pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter \"work_mem\": %q", v)
	}
	return v, nil
}

func checkDuration(_ *Session, v string) (string, error) {
	if _, err := parseMillis(v); err != nil {
		return "", err
	}
	return v, nil
}

// parseMillis reads a time setting: a number of milliseconds or a number
// with a unit (ms, s, min, h, d).
func parseMillis(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	i := 0
	for i < len(v) && (v[i] >= '0' && v[i] <= '9') {
		i++
	}
	n, err := strconv.ParseInt(v[:i], 10, 64)
	if err != nil {
		return 0, pgerr.New(pgerr.InvalidParameterValue, "invalid value for a time parameter: %q", v)
	}
	u, ok := millisUnit(strings.TrimSpace(v[i:]))
	if !ok {
		return 0, pgerr.New(pgerr.InvalidParameterValue, "invalid value for a time parameter: %q", v)
	}
	return time.Duration(n) * u, nil
}

// millisUnit is the duration of a time parameter's unit ("" is ms). A
// switch, not a map: statement_timeout is read for every statement.
func millisUnit(u string) (time.Duration, bool) {
	switch u {
	case "", "ms":
		return time.Millisecond, true
	case "s":
		return time.Second, true
	case "min":
		return time.Minute, true
	case "h":
		return time.Hour, true
	case "d":
		return 24 * time.Hour, true
	}
	return 0, false
}

// ExtraFloatDigits is extra_float_digits, for float text output.
func (s *Session) ExtraFloatDigits() int {
	v, _ := s.settings.get("extra_float_digits")
	n, err := strconv.Atoi(v)
	if err != nil {
		return 1
	}
	return n
}
