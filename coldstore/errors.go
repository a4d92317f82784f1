package coldstore

import "errors"

// Errors returned by the cold store. Callers match them with errors.Is.
var (
	// ErrUnsupportedType: a column type has no Parquet mapping.
	ErrUnsupportedType = errors.New("coldstore: unsupported column type")
	// ErrValueType: a value does not have its column type's representation.
	ErrValueType = errors.New("coldstore: value does not match column type")
	// ErrUnsorted: Flush input keys are not strictly increasing.
	ErrUnsorted = errors.New("coldstore: flush rows not sorted by key")
	// ErrCorrupt: a manifest or segment does not decode.
	ErrCorrupt = errors.New("coldstore: corrupt cold data")
	// ErrErased: the partition's user was erased while the operation ran.
	ErrErased = errors.New("coldstore: partition erased")
	// ErrClosed: the store is closed.
	ErrClosed = errors.New("coldstore: store closed")
)
