package auth

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// SecretFile is the name of the JWT secret inside the data directory.
const SecretFile = "jwt-secret"

// LoadOrCreateSecret returns the JWT secret kept in dir/jwt-secret,
// creating a random one (mode 0600, written durably) on first use.
//
// The file holds the secret as text: hex (as written here) or standard
// base64, so an operator may install their own. It must decode to at least
// MinSecretLen bytes.
//
// A file that group or others may access is refused with ErrSecretPerm, as
// PostgreSQL refuses a server key with such modes: whoever can read the
// secret can mint a system-role token, so a loose mode is a real exposure,
// not a cosmetic one, and only the operator can tell whether it was
// intended. (Not checked on Windows, where modes do not express ACLs.)
func LoadOrCreateSecret(dir string) ([]byte, error) {
	path := filepath.Join(dir, SecretFile)
	secret, err := readSecret(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return secret, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create jwt secret: %w", err)
	}
	raw := make([]byte, MinSecretLen)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("create jwt secret: %w", err)
	}
	text := []byte(hex.EncodeToString(raw) + "\n")
	created, err := createDurable(dir, SecretFile, text)
	if err != nil {
		return nil, fmt.Errorf("create jwt secret: %w", err)
	}
	if !created {
		// Someone else (another kalamdb process) created it first: theirs
		// is the one tokens are signed with.
		return readSecret(path)
	}
	return raw, nil
}

// readSecret reads and decodes a secret file, checking its mode.
func readSecret(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read jwt secret: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read jwt secret: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("read jwt secret %s: not a regular file", path)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("read jwt secret %s: %w (mode %v; run chmod 600)", path, ErrSecretPerm, fi.Mode().Perm())
	}
	// A secret is tiny; the limit keeps a wrong path from loading a huge file.
	text, err := io.ReadAll(io.LimitReader(f, 4<<10))
	if err != nil {
		return nil, fmt.Errorf("read jwt secret %s: %w", path, err)
	}
	secret, err := decodeSecret(text)
	if err != nil {
		return nil, fmt.Errorf("read jwt secret %s: %w", path, err)
	}
	return secret, nil
}

// decodeSecret accepts hex or standard base64 (padded or not) text.
func decodeSecret(text []byte) ([]byte, error) {
	text = bytes.TrimSpace(text)
	secret, err := hex.DecodeString(string(text))
	if err != nil {
		secret, err = base64.StdEncoding.DecodeString(string(text))
	}
	if err != nil {
		secret, err = base64.RawStdEncoding.DecodeString(string(text))
	}
	if err != nil {
		return nil, errors.New("not hex or base64 text")
	}
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("%w (%d bytes, need %d)", ErrWeakSecret, len(secret), MinSecretLen)
	}
	return secret, nil
}

// createDurable writes data to dir/name with mode 0600 unless the file
// already exists: temp file, fsync, link into place, fsync the directory.
// Linking rather than renaming means two racing creators never replace a
// secret that tokens may already be signed with. It reports whether this
// call created the file.
func createDurable(dir, name string, data []byte) (bool, error) {
	tmp, err := os.CreateTemp(dir, name+".tmp*")
	if err != nil {
		return false, err
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName)
	// CreateTemp already uses 0600; Chmod guards against an unusual umask.
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return false, err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return false, err
	}
	if err := tmp.Close(); err != nil {
		return false, err
	}
	final := filepath.Join(dir, name)
	if err := os.Link(tmpName, final); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		// Some file systems have no hard links; fall back to rename, which
		// is atomic but not exclusive.
		if err := os.Rename(tmpName, final); err != nil {
			return false, err
		}
	}
	// Drop the temp name before the directory sync so a crash leaves no
	// second copy of the secret behind.
	os.Remove(tmpName)
	return true, syncDir(dir)
}

// syncDir makes a directory entry change durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && runtime.GOOS != "windows" {
		return err
	}
	return nil
}
