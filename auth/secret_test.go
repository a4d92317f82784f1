package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

func TestLoadOrCreateSecretCreatesOnceAndReuses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data") // not yet created
	first, err := LoadOrCreateSecret(dir)
	if err != nil {
		t.Fatalf("first LoadOrCreateSecret: %v", err)
	}
	if len(first) != MinSecretLen {
		t.Fatalf("secret is %d bytes, want %d", len(first), MinSecretLen)
	}
	path := filepath.Join(dir, SecretFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("stat: %v", err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, want 0600", fi.Mode().Perm())
	}
	second, err := LoadOrCreateSecret(dir)
	if err != nil {
		t.Fatalf("second LoadOrCreateSecret: %v", err)
	}
	if !bytes.Equal(first, second) {
		t.Fatalf("secret changed between calls")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("dir holds %d entries, want only %s (temp files left behind?)", len(entries), SecretFile)
	}
	// A token signed with it verifies with it.
	tok, err := NewJWT(first).Sign("root", RoleSystem, 3600e9)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	if _, err := NewJWT(second).Verify(tok); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestLoadOrCreateSecretConcurrent(t *testing.T) {
	dir := t.TempDir()
	const n = 8
	got := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = LoadOrCreateSecret(dir) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if !bytes.Equal(got[i], got[0]) {
			t.Fatalf("caller %d got a different secret", i)
		}
	}
}

func TestLoadOrCreateSecretReadsOperatorFiles(t *testing.T) {
	raw := bytes.Repeat([]byte{0xAB}, 40)
	tests := []struct {
		name string
		text string
	}{
		{"hex", hex.EncodeToString(raw) + "\n"},
		{"base64", base64.StdEncoding.EncodeToString(raw)},
		{"base64 unpadded", base64.RawStdEncoding.EncodeToString(raw) + "\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, SecretFile), []byte(tt.text), 0o600); err != nil {
				t.Fatalf("write: %v", err)
			}
			got, err := LoadOrCreateSecret(dir)
			if err != nil {
				t.Fatalf("LoadOrCreateSecret: %v", err)
			}
			if !bytes.Equal(got, raw) {
				t.Fatalf("got %x, want %x", got, raw)
			}
		})
	}
}

func TestLoadOrCreateSecretRefuses(t *testing.T) {
	good := hex.EncodeToString(bytes.Repeat([]byte{1}, 32))
	tests := []struct {
		name string
		text string
		mode os.FileMode
		want error
	}{
		{"group readable", good, 0o640, ErrSecretPerm},
		{"world readable", good, 0o644, ErrSecretPerm},
		{"too short", hex.EncodeToString([]byte("short")), 0o600, ErrWeakSecret},
		{"empty", "", 0o600, ErrWeakSecret},
		{"not text", "!!! not a secret !!!", 0o600, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && tt.want == ErrSecretPerm {
				t.Skip("modes are not checked on Windows")
			}
			dir := t.TempDir()
			path := filepath.Join(dir, SecretFile)
			if err := os.WriteFile(path, []byte(tt.text), tt.mode); err != nil {
				t.Fatalf("write: %v", err)
			}
			if err := os.Chmod(path, tt.mode); err != nil { // umask-proof
				t.Fatalf("chmod: %v", err)
			}
			got, err := LoadOrCreateSecret(dir)
			if err == nil {
				t.Fatalf("LoadOrCreateSecret = %x, want an error", got)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			// The refused file is left alone for the operator to fix.
			if b, _ := os.ReadFile(path); string(b) != tt.text {
				t.Fatalf("secret file was rewritten")
			}
		})
	}
}

func TestLoadOrCreateSecretDirectoryInTheWay(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, SecretFile), 0o700); err != nil {
		t.Fatalf("mkdir: %v", err)
	}
	if _, err := LoadOrCreateSecret(dir); err == nil {
		t.Fatalf("LoadOrCreateSecret over a directory succeeded")
	}
}
