package hotstore

import (
	"encoding/binary"
	"time"
	"unsafe"
)

// arenaChunk is how many values of one type an Arena allocates at once: a
// scan decoding "the latest 50 messages" fills about one chunk per type,
// and a row kept after the scan pins at most one chunk of its neighbours.
const arenaChunk = 64

// Arena boxes the values DecodeRowArena produces into interfaces that
// point into shared slabs instead of one heap object per value. Boxing a
// string, an int64 or a time.Time into an `any` costs an allocation each;
// a chat row has several of them, so on a scan these allocations (and the
// GC work behind them) rival the rest of the decode. The zero Arena is
// ready to use; it is not safe for concurrent use. Values handed out stay
// valid for as long as they are referenced, like any Go value: the slabs
// are ordinary heap memory that the GC keeps alive through the interfaces
// that point into them. A slot is written once, before its interface is
// handed out, and never again, which is what an interface's data assumes.
type Arena struct {
	strs  []string
	ints  []int64
	times []time.Time
	// timeType supplies time.Time's type word; set once, never written
	// through.
	timeType any
}

// eface is the layout of an empty interface: a type word and a pointer to
// the value (for every type that is not pointer-shaped, such as the three
// boxed here).
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// box returns an interface of the dynamic type of proto whose data is p.
// proto must hold a value of type *p's type.
func box(proto any, p unsafe.Pointer) any {
	v := proto
	(*eface)(unsafe.Pointer(&v)).data = p
	return v
}

// String boxes s.
func (a *Arena) String(s string) any {
	if len(a.strs) == cap(a.strs) {
		a.strs = make([]string, 0, arenaChunk)
	}
	a.strs = append(a.strs, s)
	// any("") refers to a static string: taking its type word allocates
	// nothing.
	return box(any(""), unsafe.Pointer(&a.strs[len(a.strs)-1]))
}

// Int boxes x.
func (a *Arena) Int(x int64) any {
	if x >= 0 && x < 256 {
		return x // the runtime boxes small integers without allocating
	}
	if len(a.ints) == cap(a.ints) {
		a.ints = make([]int64, 0, arenaChunk)
	}
	a.ints = append(a.ints, x)
	return box(any(int64(0)), unsafe.Pointer(&a.ints[len(a.ints)-1]))
}

// Time boxes t.
func (a *Arena) Time(t time.Time) any {
	if len(a.times) == cap(a.times) {
		a.times = make([]time.Time, 0, arenaChunk)
	}
	a.times = append(a.times, t)
	if a.timeType == nil {
		a.timeType = time.Time{}
	}
	return box(a.timeType, unsafe.Pointer(&a.times[len(a.times)-1]))
}

// DecodeRowArena is DecodeRow with the top-level strings, integers and
// timestamps boxed by a (nil boxes each value on the heap, as DecodeRow
// does). Every value still outlives data.
func DecodeRowArena(data []byte, a *Arena, fn func(id uint32, v any)) error {
	return decodeRowArena(data, false, a, fn)
}

// DecodeStableRowArena is DecodeRowArena for data that never changes (a
// Record with Stable set): its strings point into data instead of into a
// copy of it.
func DecodeStableRowArena(data []byte, a *Arena, fn func(id uint32, v any)) error {
	return decodeRowArena(data, true, a, fn)
}

func decodeRowArena(data []byte, stable bool, a *Arena, fn func(id uint32, v any)) error {
	if a == nil {
		return decodeRow(data, stable, fn)
	}
	var shared string // copy of base (or base itself when stable), made at the first string
	var base []byte
	for len(data) > 0 {
		id, n := binary.Uvarint(data)
		if n <= 0 || id > 1<<32-1 {
			return errCorruptRow
		}
		b := data[n:]
		if len(b) == 0 {
			return errCorruptRow
		}
		switch b[0] {
		case kindString:
			raw, rest, err := readLen(b[1:])
			if err != nil {
				return err
			}
			switch {
			case base != nil:
			case stable:
				base, shared = b, unsafe.String(unsafe.SliceData(b), len(b))
			case len(b) <= sharedStringMax:
				base, shared = b, string(b)
			}
			if base != nil {
				off := cap(base) - cap(raw) // raw lies inside base
				fn(uint32(id), a.String(shared[off:off+len(raw)]))
			} else {
				fn(uint32(id), a.String(string(raw)))
			}
			data = rest
			continue
		case kindInt, kindTime:
			x, m := binary.Varint(b[1:])
			if m <= 0 {
				return errCorruptRow
			}
			if b[0] == kindInt {
				fn(uint32(id), a.Int(x))
			} else {
				fn(uint32(id), a.Time(time.UnixMicro(x).UTC()))
			}
			data = b[1+m:]
			continue
		}
		v, rest, err := readValue(b, 0)
		if err != nil {
			return err
		}
		fn(uint32(id), v)
		data = rest
	}
	return nil
}
