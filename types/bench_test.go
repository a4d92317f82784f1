package types

import (
	"testing"
	"time"
)

func BenchmarkAppendTextTimestamptz(b *testing.B) {
	buf := make([]byte, 0, 64)
	v := time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendText(buf[:0], Timestamptz, v, time.UTC)
	}
}

func BenchmarkAppendTextFloat8(b *testing.B) {
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendText(buf[:0], Float8, 3.14159, nil)
	}
}

func BenchmarkParseTextInt8(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseText(Of(Int8), "1234567890", nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseTextTimestamptz(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseText(Of(Timestamptz), "2024-01-02 03:04:05.123456+00", time.UTC); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNumericBinary(b *testing.B) {
	d, _ := parseNumeric("12345.678")
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf = appendNumericBinary(buf[:0], d)
		if _, err := parseNumericBinary(buf); err != nil {
			b.Fatal(err)
		}
	}
}
