package pgrun

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Pids returns the postmaster and every process it has forked (backends and
// auxiliary processes), read from /proc. Summing their memory gives the
// server's footprint; comparing before and after opening connections gives
// the cost of a connection.
func (s *Server) Pids() ([]int, error) {
	root := s.PostmasterPid()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	pids := []int{root}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == root {
			continue
		}
		ppid, err := parentPid(pid)
		if err != nil {
			continue // the process exited while we looked
		}
		if ppid == root {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

// parentPid reads the fourth field of /proc/<pid>/stat.
func parentPid(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatPPid(string(b))
}

// StatFields splits a /proc/<pid>/stat line after the command name: the
// first field returned is the third of the line (the state). The command
// name is in parentheses and may hold spaces and parentheses, so the
// fields start after the last ')'; n is how many are needed.
func StatFields(stat string, n int) ([]string, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return nil, fmt.Errorf("parse stat: no command name")
	}
	fields := strings.Fields(stat[i+1:])
	if len(fields) < n {
		return nil, fmt.Errorf("parse stat: too few fields")
	}
	return fields, nil
}

func parseStatPPid(stat string) (int, error) {
	fields, err := StatFields(stat, 2)
	if err != nil {
		return 0, err
	}
	ppid, err := strconv.Atoi(fields[1])
	if err != nil {
		return 0, fmt.Errorf("parse stat ppid: %w", err)
	}
	return ppid, nil
}
