package coldstore

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// tmpPrefix marks files and directories that are not yet (or no longer)
// part of the store; whatever carries it is deleted when found.
const tmpPrefix = ".tmp-"

// syncDir fsyncs a directory so that renames and creations in it survive a
// crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync dir: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync dir %s: %w", dir, err)
	}
	return nil
}

// mkdirAll creates dir and its missing parents, fsyncing each parent whose
// entries changed so the new directory survives a crash.
func mkdirAll(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := mkdirAll(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !os.IsExist(err) {
		return fmt.Errorf("mkdir: %w", err)
	}
	return syncDir(parent)
}

// writeFileAtomic replaces path with data: temp file, fsync, rename, fsync
// directory. A crash leaves either the old or the new content.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return syncDir(dir)
}

// removeTree removes dir durably: it is first renamed into the trash
// directory (atomic: after the rename nothing under the old name is
// visible), then deleted. A crash mid-delete leaves the rest in the trash,
// which Open empties.
func removeTree(root, dir string) error {
	dst, err := moveToTrash(root, dir)
	if err != nil || dst == "" {
		return err
	}
	if err := os.RemoveAll(dst); err != nil {
		return fmt.Errorf("remove %s: %w", dir, err)
	}
	return nil
}

// moveToTrash durably renames dir into the trash and returns its new path,
// or "" when dir does not exist.
func moveToTrash(root, dir string) (string, error) {
	trash := filepath.Join(root, trashDir)
	if err := mkdirAll(trash); err != nil {
		return "", err
	}
	dst := filepath.Join(trash, filepath.Base(dir)+
		"-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	if err := os.Rename(dir, dst); err != nil {
		if os.IsNotExist(err) {
			return "", nil
		}
		return "", fmt.Errorf("remove %s: %w", dir, err)
	}
	if err := syncDir(filepath.Dir(dir)); err != nil {
		return "", err
	}
	return dst, syncDir(trash)
}

// copyFile copies src to dst (a new file) and fsyncs it.
func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("copy %s: %w", filepath.Base(src), err)
	}
	return nil
}
