package pgrun

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// DefaultBinDir is where Debian's postgresql-15 package installs the server.
const DefaultBinDir = "/usr/lib/postgresql/15/bin"

// ErrUnavailable is returned (wrapped) by Available and Start when the
// PostgreSQL binaries or the unprivileged user they need are missing.
var ErrUnavailable = errors.New("postgresql 15 unavailable")

// Available reports whether a server can be started with the binaries in
// DefaultBinDir.
func Available() error {
	_, err := resolve("")
	return err
}

// toolchain is what Start needs to run PostgreSQL's programs.
type toolchain struct {
	binDir string
	// cred is non-nil when the programs must run as another OS user.
	cred *syscall.Credential
	uid  int
	gid  int
}

func resolve(binDir string) (*toolchain, error) {
	if binDir == "" {
		binDir = DefaultBinDir
	}
	for _, name := range []string{"initdb", "postgres"} {
		p := filepath.Join(binDir, name)
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("%w: %s missing (install postgresql-15, e.g. apt-get install postgresql-15): %v", ErrUnavailable, p, err)
		}
	}
	tc := &toolchain{binDir: binDir, uid: -1, gid: -1}
	if os.Geteuid() != 0 {
		return tc, nil
	}
	// initdb and postgres refuse to run as root.
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("%w: running as root needs the postgres OS user: %v", ErrUnavailable, err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("%w: bad uid/gid for postgres user: %q/%q", ErrUnavailable, u.Uid, u.Gid)
	}
	tc.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
	tc.uid, tc.gid = int(uid), int(gid)
	return tc, nil
}

// command builds a command for one of PostgreSQL's programs, running as the
// postgres user when we are root. Setting the credential directly (rather
// than wrapping in runuser) keeps postgres our direct child, so signals reach
// it and Wait reports its exit.
func (tc *toolchain) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(tc.binDir, name), args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C", "LANG=C"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: tc.cred, Setpgid: true}
	return cmd
}

// own gives dir to the user the programs run as.
func (tc *toolchain) own(dir string) error {
	if tc.cred == nil {
		return nil
	}
	if err := os.Chown(dir, tc.uid, tc.gid); err != nil {
		return fmt.Errorf("chown %s: %w", dir, err)
	}
	return nil
}
