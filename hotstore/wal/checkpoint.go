package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
)

// checkpointName holds the ts of the last Checkpoint: magic, ts (uint64
// LE) and a CRC-32C of both.
const (
	checkpointName = "checkpoint"
	checkpointSize = 16
)

var checkpointMagic = [4]byte{'K', 'W', 'C', 'P'}

func encodeCheckpoint(ts uint64) []byte {
	b := make([]byte, 0, checkpointSize)
	b = append(b, checkpointMagic[:]...)
	b = binary.LittleEndian.AppendUint64(b, ts)
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// decodeCheckpoint reads the file's content. Anything but a valid file is
// an error: the file is replaced by rename, so it is either the old one or
// the new one, and a damaged one means a disk or operator problem that
// would silently make Replay resend (or skip) records if read as 0.
func decodeCheckpoint(b []byte) (uint64, error) {
	if len(b) != checkpointSize || [4]byte(b[0:4]) != checkpointMagic ||
		binary.LittleEndian.Uint32(b[12:16]) != crc32.Checksum(b[:12], castagnoli) {
		return 0, fmt.Errorf("%w: checkpoint file is damaged", ErrCorrupt)
	}
	return binary.LittleEndian.Uint64(b[4:12]), nil
}

// readCheckpoint returns the recorded ts, 0 if the file does not exist.
func readCheckpoint(dir string) (uint64, error) {
	b, err := os.ReadFile(filepath.Join(dir, checkpointName))
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read checkpoint: %w", err)
	}
	return decodeCheckpoint(b)
}

// writeCheckpoint durably replaces the checkpoint file: write a temp file,
// fsync it, rename it over the old one, fsync the directory. A crash
// leaves either the old file or the new one, never a mix.
func writeCheckpoint(dir string, ts uint64) (err error) {
	final := filepath.Join(dir, checkpointName)
	tmp := final + tmpExt
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if _, err := f.Write(encodeCheckpoint(ts)); err != nil {
		_ = f.Close()
		return fmt.Errorf("write checkpoint: %w", err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("sync checkpoint: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	return syncDir(dir)
}
