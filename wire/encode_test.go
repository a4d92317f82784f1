package wire

import (
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

func TestParamDescriptionBeyond16Bits(t *testing.T) {
	for _, n := range []int{0, 3, 65535, 65536, 70000} {
		oids := make([]uint32, n)
		for i := range oids {
			oids[i] = uint32(i + 1)
		}
		b, err := (&paramDescription{oids: oids}).Encode(nil)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if b[0] != 't' {
			t.Fatalf("n=%d: type %q", n, b[0])
		}
		var got pgproto3.ParameterDescription
		if err := got.Decode(b[5:]); err != nil {
			t.Fatalf("n=%d: decode: %v", n, err)
		}
		if len(got.ParameterOIDs) != n || (n > 0 && got.ParameterOIDs[n-1] != uint32(n)) {
			t.Fatalf("n=%d: decoded %d oids", n, len(got.ParameterOIDs))
		}
	}
}
