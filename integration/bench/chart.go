package main

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"time"
)

// The chart: one group of four bars (PostgreSQL p50 and p99, KalamDB p50
// and p99) per case that measures latency, on a logarithmic millisecond
// axis, groups numbered 1..n; the results file lists what each number is.

const (
	barW      = 14
	groupGap  = 22
	plotLeft  = 70
	plotTop   = 70
	plotH     = 300
	chartBot  = 50
	textScale = 2
)

type series struct {
	label string
	c     color.RGBA
	sys   string
	p99   bool
}

func chartSeries() []series {
	return []series{
		{"PG P50", color.RGBA{120, 160, 220, 255}, labelPG, false},
		{"PG P99", color.RGBA{30, 80, 160, 255}, labelPG, true},
		{"KALAMDB P50", color.RGBA{250, 180, 100, 255}, labelKalam, false},
		{"KALAMDB P99", color.RGBA{210, 100, 20, 255}, labelKalam, true},
	}
}

// latencyRows returns the rows that have a latency on some system.
func latencyRows(rows []row) []row {
	var out []row
	for _, r := range rows {
		for _, c := range r.cells {
			if c.err == "" && c.hasLat {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// drawChart draws the latency chart, or returns nil when no row has one.
func drawChart(rows []row) *image.RGBA {
	rows = latencyRows(rows)
	if len(rows) == 0 {
		return nil
	}
	ss := chartSeries()
	// Axis range: whole decades around every value.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range rows {
		for _, s := range ss {
			if v, ok := barValue(r, s); ok {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	dLo, dHi := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if dLo == math.Log10(lo) {
		dLo-- // keep the smallest bar visible
	}
	if dHi <= dLo {
		dHi = dLo + 1
	}
	groupW := len(ss)*barW + groupGap
	w := max(plotLeft+len(rows)*groupW+20, 720)
	h := plotTop + plotH + chartBot
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fillRect(img, 0, 0, w, h, color.White)
	black := color.RGBA{0, 0, 0, 255}
	grey := color.RGBA{220, 220, 220, 255}

	drawText(img, 10, 8, textScale, "LATENCY P50/P99 (MS, LOG SCALE)", black)
	x := 10
	for _, s := range ss {
		fillRect(img, x, 36, 14, 14, s.c)
		x += 20 + drawText(img, x+20, 36, textScale, s.label, black) + 16
	}

	yOf := func(v float64) int {
		f := (math.Log10(v) - dLo) / (dHi - dLo)
		return plotTop + plotH - int(math.Round(f*plotH))
	}
	for d := dLo; d <= dHi; d++ {
		y := yOf(math.Pow(10, d))
		fillRect(img, plotLeft, y, w-plotLeft-10, 1, grey)
		label := formatTick(math.Pow(10, d))
		drawText(img, plotLeft-8-textWidth(label, textScale), y-7, textScale, label, black)
	}
	fillRect(img, plotLeft, plotTop, 1, plotH+1, black)
	fillRect(img, plotLeft, plotTop+plotH, w-plotLeft-10, 1, black)

	for gi, r := range rows {
		gx := plotLeft + 12 + gi*groupW
		for si, s := range ss {
			v, ok := barValue(r, s)
			if !ok {
				continue
			}
			y := min(yOf(v), plotTop+plotH-2)
			fillRect(img, gx+si*barW, y, barW-2, plotTop+plotH-y, s.c)
		}
		label := fmt.Sprint(gi + 1)
		drawText(img, gx+(len(ss)*barW-textWidth(label, textScale))/2, plotTop+plotH+10, textScale, label, black)
	}
	return img
}

func barValue(r row, s series) (float64, bool) {
	c := r.cells[s.sys]
	if c == nil || c.err != "" || !c.hasLat {
		return 0, false
	}
	d := c.p50
	if s.p99 {
		d = c.p99
	}
	ms := float64(d) / float64(time.Millisecond)
	if ms <= 0 {
		return 0, false
	}
	return ms, true
}

func formatTick(v float64) string {
	if v >= 1 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%g", v)
}
