package coldstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
)

const (
	manifestName    = "manifest.json"
	manifestVersion = 1
)

// manifest is a partition's manifest.json: the only record of which
// segment files are live. A file not listed here is garbage.
type manifest struct {
	Version   int       `json:"version"`
	TableID   uint32    `json:"table_id"`
	Table     string    `json:"table"` // qualified name when last written
	User      string    `json:"user,omitempty"`
	NextBatch int64     `json:"next_batch"`
	Segments  []Segment `json:"segments"`
}

// Segment describes one Parquet file of a partition.
type Segment struct {
	Path          string        `json:"path"` // file name inside the partition directory
	Rows          int64         `json:"rows"` // tombstones included
	Tombstones    int64         `json:"tombstones"`
	Bytes         int64         `json:"bytes"`
	MinSeq        int64         `json:"min_seq"`
	MaxSeq        int64         `json:"max_seq"`
	MinKey        []byte        `json:"min_key"`
	MaxKey        []byte        `json:"max_key"`
	SchemaVersion int64         `json:"schema_version"`
	Columns       []ColumnStats `json:"columns"` // the table columns present, in file order
}

// ColumnStats describe one table column of a segment, for pruning.
type ColumnStats struct {
	ID    uint32 `json:"id"`
	Name  string `json:"name"`
	OID   uint32 `json:"type_oid"`
	Mod   int32  `json:"type_mod"`
	Nulls int64  `json:"nulls"`
	// Min and Max are hotstore.AppendKey encodings of the smallest and
	// largest non-NULL value, kept only for types whose key order is SQL's
	// order (see statsKind); nil otherwise or when every value is NULL.
	Min []byte `json:"min,omitempty"`
	Max []byte `json:"max,omitempty"`
}

// Column returns the stats of column id, if the segment has it.
func (s *Segment) Column(id uint32) (*ColumnStats, bool) {
	for i := range s.Columns {
		if s.Columns[i].ID == id {
			return &s.Columns[i], true
		}
	}
	return nil, false
}

// batchName is the file name of segment n.
func batchName(n int64) string { return "batch-" + strconv.FormatInt(n, 10) + ".parquet" }

// parseBatchName returns n for "batch-<n>.parquet".
func parseBatchName(name string) (int64, bool) {
	s, ok := strings.CutPrefix(name, "batch-")
	if !ok {
		return 0, false
	}
	if s, ok = strings.CutSuffix(s, ".parquet"); !ok || s == "" || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n >= 0
}

// decodeManifest parses and validates manifest.json. Paths must be plain
// batch names, so a damaged or hostile manifest cannot point outside its
// directory.
func decodeManifest(data []byte) (manifest, error) {
	var m manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return manifest{}, fmt.Errorf("%w: manifest: %v", ErrCorrupt, err)
	}
	if m.Version != manifestVersion {
		return manifest{}, fmt.Errorf("%w: manifest version %d", ErrCorrupt, m.Version)
	}
	seen := make(map[string]bool, len(m.Segments))
	for i := range m.Segments {
		s := &m.Segments[i]
		n, ok := parseBatchName(s.Path)
		switch {
		case !ok || n >= m.NextBatch || seen[s.Path]:
			return manifest{}, fmt.Errorf("%w: manifest segment path %q", ErrCorrupt, s.Path)
		case s.Rows <= 0 || s.Tombstones < 0 || s.Tombstones > s.Rows || s.Bytes < 0 ||
			s.MinSeq > s.MaxSeq || bytes.Compare(s.MinKey, s.MaxKey) > 0:
			return manifest{}, fmt.Errorf("%w: manifest segment %s bounds", ErrCorrupt, s.Path)
		}
		seen[s.Path] = true
		ids := make(map[uint32]bool, len(s.Columns))
		for _, c := range s.Columns {
			if ids[c.ID] || c.Nulls < 0 || c.Nulls > s.Rows {
				return manifest{}, fmt.Errorf("%w: manifest segment %s column %d", ErrCorrupt, s.Path, c.ID)
			}
			ids[c.ID] = true
		}
	}
	return m, nil
}

// readManifest loads dir's manifest; a missing file is an empty manifest.
func readManifest(dir string) (manifest, error) {
	data, err := os.ReadFile(dir + string(os.PathSeparator) + manifestName)
	if os.IsNotExist(err) {
		return manifest{Version: manifestVersion}, nil
	}
	if err != nil {
		return manifest{}, fmt.Errorf("read manifest: %w", err)
	}
	return decodeManifest(data)
}

// writeManifest atomically replaces dir's manifest.
func writeManifest(dir string, m manifest) error {
	m.Version = manifestVersion
	if m.Segments == nil {
		m.Segments = []Segment{}
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	return writeFileAtomic(dir+string(os.PathSeparator)+manifestName, append(data, '\n'))
}
