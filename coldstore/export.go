package coldstore

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// exportName is the summary file at the top of an export.
const exportName = "export.json"

// ExportSummary is the content of an export's export.json.
type ExportSummary struct {
	User       string            `json:"user"`
	Created    time.Time         `json:"created"`
	Partitions []ExportPartition `json:"partitions"`
}

// ExportPartition describes one exported table partition.
type ExportPartition struct {
	Table    string `json:"table"` // schema.name
	Dir      string `json:"dir"`   // directory inside the export
	Segments int    `json:"segments"`
	Rows     int64  `json:"rows"` // tombstones included
}

// ExportUser writes a self-contained copy of user's folder to destDir,
// which must not exist: every partition's live segments with its manifest,
// other files of the folder (blobs, media) as they are, and export.json.
// The export appears atomically (built under a temp name, then renamed).
// Flush the user's hot rows first for a complete export.
func (s *Store) ExportUser(ctx context.Context, user string, destDir string) (ExportSummary, error) {
	sum := ExportSummary{User: user, Created: time.Now().UTC(), Partitions: []ExportPartition{}}
	if _, err := os.Stat(destDir); err == nil {
		return sum, fmt.Errorf("export %s: %s exists", user, destDir)
	}
	tmp := filepath.Join(filepath.Dir(destDir), tmpPrefix+filepath.Base(destDir)+"-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	if err := mkdirAll(tmp); err != nil {
		return sum, fmt.Errorf("export %s: %w", user, err)
	}
	err := s.exportInto(ctx, user, tmp, &sum)
	if err == nil {
		var data []byte
		data, err = json.MarshalIndent(sum, "", "  ")
		if err == nil {
			err = writeFileAtomic(filepath.Join(tmp, exportName), append(data, '\n'))
		}
	}
	if err == nil {
		err = syncDir(tmp)
	}
	if err == nil {
		err = os.Rename(tmp, destDir)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return sum, fmt.Errorf("export %s: %w", user, err)
	}
	return sum, syncDir(filepath.Dir(destDir))
}

func (s *Store) exportInto(ctx context.Context, user, dst string, sum *ExportSummary) error {
	rel := userDir(user)
	entries, err := os.ReadDir(filepath.Join(s.root, rel))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := e.Name()
		switch {
		case strings.HasPrefix(name, tmpPrefix):
		case e.IsDir() && strings.Contains(name, "."): // escaped names have no dots: a partition
			ep, err := s.exportPartition(filepath.Join(rel, name), filepath.Join(dst, name))
			if err != nil {
				return err
			}
			if ep.Segments > 0 {
				ep.Dir = name
				sum.Partitions = append(sum.Partitions, ep)
			}
		default:
			if err := copyTree(filepath.Join(dst, name), filepath.Join(s.root, rel, name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// exportPartition copies one partition's live segments and manifest.
func (s *Store) exportPartition(rel, dst string) (ExportPartition, error) {
	p, err := s.partition(rel)
	if err != nil {
		return ExportPartition{}, err
	}
	p.mu.Lock()
	err = p.loadLocked()
	m := p.man
	m.Segments = append([]Segment(nil), m.Segments...)
	for _, seg := range m.Segments {
		p.pins[seg.Path]++
	}
	p.mu.Unlock()
	if err != nil {
		return ExportPartition{}, err
	}
	defer p.unpin(m.Segments)
	ep := ExportPartition{Table: m.Table, Segments: len(m.Segments)}
	if len(m.Segments) == 0 {
		return ep, nil
	}
	if err := mkdirAll(dst); err != nil {
		return ep, err
	}
	for _, seg := range m.Segments {
		if err := copyFile(filepath.Join(dst, seg.Path), filepath.Join(p.dir, seg.Path)); err != nil {
			return ep, err
		}
		ep.Rows += seg.Rows
	}
	return ep, writeManifest(dst, m)
}

// copyTree copies a file or directory tree, skipping temp files.
func copyTree(dst, src string) error {
	fi, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	if !fi.IsDir() {
		return copyFile(dst, src)
	}
	if err := os.Mkdir(dst, 0o755); err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tmpPrefix) {
			continue
		}
		if err := copyTree(filepath.Join(dst, e.Name()), filepath.Join(src, e.Name())); err != nil {
			return err
		}
	}
	return syncDir(dst)
}

// EraseUser removes users/<user>/ entirely and durably: every partition,
// blob and media file. Once the directory is renamed into the trash (the
// durable point) nothing of the user is visible; a crash during the delete
// that follows leaves only trash, which Open removes. Scans of the user
// still open may fail. Stop the user's flushes first: a racing flush fails
// with ErrErased and may leave empty directories.
func (s *Store) EraseUser(ctx context.Context, user string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	trashed, err := s.retire(userDir(user))
	if err != nil || trashed == "" {
		return wrapErase(user, err)
	}
	return wrapErase(user, os.RemoveAll(trashed))
}

func wrapErase(user string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("erase %s: %w", user, err)
}

// DropPartition removes one partition's files durably (DROP TABLE of a
// shared table, or one user's partition of a user table).
func (s *Store) DropPartition(ctx context.Context, part Partition) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	trashed, err := s.retire(part.dir())
	if err == nil && trashed != "" {
		err = os.RemoveAll(trashed)
	}
	if err != nil {
		return fmt.Errorf("drop %s: %w", part.QualifiedName(), err)
	}
	return nil
}

// DropTable removes every partition of table schema.name: the shared one
// and each user's. It lists users/, so it costs one directory entry per
// user; partitions it misses are discarded on their next use anyway,
// because their manifest names the old table id.
func (s *Store) DropTable(ctx context.Context, schema, name string) error {
	parts := []Partition{{Schema: schema, Name: name}}
	entries, err := os.ReadDir(filepath.Join(s.root, usersDir))
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("drop %s.%s: %w", schema, name, err)
	}
	for _, e := range entries {
		if e.IsDir() {
			u, ok := unescapeName(e.Name())
			if ok {
				parts = append(parts, Partition{Schema: schema, Name: name, User: u})
			}
		}
	}
	for _, p := range parts {
		if err := s.DropPartition(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// retire forgets the partitions under rel (marking them erased for racing
// operations) and moves rel to the trash, all under Store.mu so no new
// partition state appears under rel meanwhile.
func (s *Store) retire(rel string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return "", ErrClosed
	}
	for r, p := range s.parts {
		if r == rel || strings.HasPrefix(r, rel+string(filepath.Separator)) {
			p.mu.Lock()
			p.erased = true
			p.cache.drop(p, "")
			p.mu.Unlock()
			delete(s.parts, r)
		}
	}
	return moveToTrash(s.root, filepath.Join(s.root, rel))
}
