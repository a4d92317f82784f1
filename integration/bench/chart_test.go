package main

import (
	"testing"
	"time"
)

func TestDrawChart(t *testing.T) {
	noLat := []row{{name: "mem", cells: map[string]*cell{labelPG: {value: 1}}}}
	if img := drawChart(noLat); img != nil {
		t.Fatalf("drawChart without latencies = %v, want nil", img.Bounds())
	}
	rows := append(noLat, row{name: "lat", cells: map[string]*cell{
		labelPG:    {hasLat: true, p50: time.Millisecond, p99: 20 * time.Millisecond},
		labelKalam: {hasLat: true, p50: 100 * time.Microsecond, p99: time.Millisecond},
	}})
	img := drawChart(rows)
	if img == nil {
		t.Fatalf("drawChart = nil, want an image")
	}
	// Every series must have painted its bar somewhere in the plot.
	for _, s := range chartSeries() {
		found := false
		b := img.Bounds()
		for y := plotTop; y < plotTop+plotH && !found; y++ {
			for x := plotLeft + 1; x < b.Max.X; x++ {
				if img.RGBAAt(x, y) == s.c {
					found = true
					break
				}
			}
		}
		if !found {
			t.Fatalf("no bar of series %s", s.label)
		}
	}
}

func TestFontCoversLabels(t *testing.T) {
	box := glyph('\x00')
	for _, r := range "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.,-+/()=:%<>_" {
		if glyph(r) == box {
			t.Fatalf("glyph %q is missing", r)
		}
	}
	if got := textWidth("AB", 2); got != 22 {
		t.Fatalf("textWidth(AB, 2) = %d, want 22", got)
	}
}
