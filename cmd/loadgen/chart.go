package main

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"time"
)

// The histogram image: latency on x (0 to a round upper bound above the slowest request), request
// count per bin on y, and the p50, p90 and p99 as vertical lines, labelled.
const (
	chartW, chartH = 900, 420
	plotLeft       = 70
	plotRight      = chartW - 24
	plotTop        = 70
	plotBottom     = chartH - 56
	bins           = 50
)

var (
	colBackground = color.RGBA{0xff, 0xff, 0xff, 0xff}
	colInk        = color.RGBA{0x16, 0x19, 0x1f, 0xff}
	colGrid       = color.RGBA{0xe9, 0xeb, 0xed, 0xff}
	colBar        = color.RGBA{0x09, 0x72, 0xd3, 0xff}
	colP50        = color.RGBA{0x03, 0x7f, 0x0c, 0xff}
	colP90        = color.RGBA{0xe0, 0x77, 0x00, 0xff}
	colP99        = color.RGBA{0xd9, 0x15, 0x15, 0xff}
)

// histogram counts sorted latencies into n equal bins over [0, upper]; the last bin takes upper.
func histogram(sorted []time.Duration, upper time.Duration, n int) []int {
	counts := make([]int, n)
	for _, d := range sorted {
		i := int(float64(d) / float64(upper) * float64(n))
		counts[min(max(i, 0), n-1)]++
	}
	return counts
}

// niceUpper rounds d up to 1, 2 or 5 times a power of ten milliseconds (at least 1 ms).
func niceUpper(d time.Duration) time.Duration {
	ms := math.Max(float64(d)/float64(time.Millisecond), 1)
	p := math.Pow(10, math.Floor(math.Log10(ms)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= ms {
			return time.Duration(m * p * float64(time.Millisecond))
		}
	}
	return time.Duration(10 * p * float64(time.Millisecond))
}

// binX is the pixel range [x0, x1) of bin i.
func binX(i int) (int, int) {
	w := float64(plotRight-plotLeft) / bins
	return plotLeft + int(math.Round(float64(i)*w)), plotLeft + int(math.Round(float64(i+1)*w))
}

func latencyX(d, upper time.Duration) int {
	return plotLeft + int(math.Round(float64(d)/float64(upper)*float64(plotRight-plotLeft)))
}

// writeHistogram draws the chart of sorted (ascending) latencies as a PNG.
func writeHistogram(w io.Writer, title string, sorted []time.Duration) error {
	img := image.NewRGBA(image.Rect(0, 0, chartW, chartH))
	draw.Draw(img, img.Bounds(), image.NewUniform(colBackground), image.Point{}, draw.Src)
	fill := func(r image.Rectangle, c color.Color) {
		draw.Draw(img, r, image.NewUniform(c), image.Point{}, draw.Src)
	}

	drawText(img, plotLeft, 12, 2, title, colInk)
	upper := time.Millisecond
	if len(sorted) > 0 {
		upper = niceUpper(sorted[len(sorted)-1])
	}
	counts := histogram(sorted, upper, bins)
	peak := 0
	for _, c := range counts {
		peak = max(peak, c)
	}
	// Grid and axes.
	for q := 0; q <= 4; q++ {
		x := plotLeft + q*(plotRight-plotLeft)/4
		fill(image.Rect(x, plotTop, x+1, plotBottom), colGrid)
		label := fmt.Sprintf("%g ms", float64(upper)/float64(time.Millisecond)*float64(q)/4)
		drawText(img, min(max(x-textWidth(label, 1)/2, 0), chartW-textWidth(label, 1)), plotBottom+8, 1, label, colInk)
	}
	fill(image.Rect(plotLeft, plotBottom, plotRight, plotBottom+1), colInk)
	fill(image.Rect(plotLeft-1, plotTop, plotLeft, plotBottom+1), colInk)
	drawText(img, 8, plotTop, 1, fmt.Sprint(peak), colInk)
	drawText(img, 8, plotBottom-glyphH, 1, "0", colInk)
	drawText(img, plotLeft, chartH-18, 1, fmt.Sprintf("latency (%d requests, %d bins); bar height: requests per bin", len(sorted), bins), colInk)

	// Bars: height proportional to the count, at least one pixel for a non-empty bin.
	for i, c := range counts {
		if c == 0 {
			continue
		}
		h := max(int(math.Round(float64(c)/float64(peak)*float64(plotBottom-plotTop))), 1)
		x0, x1 := binX(i)
		fill(image.Rect(x0+1, plotBottom-h, x1-1, plotBottom), colBar)
	}
	// Percentile lines and their labels, side by side above the plot.
	lx := plotLeft
	for _, p := range []struct {
		name string
		pct  int
		col  color.Color
	}{{"p50", 50, colP50}, {"p90", 90, colP90}, {"p99", 99, colP99}} {
		d := percentile(sorted, p.pct)
		if len(sorted) > 0 {
			x := latencyX(d, upper)
			fill(image.Rect(x, plotTop, x+1, plotBottom), p.col)
		}
		label := fmt.Sprintf("%s %.1f ms", p.name, ms(d))
		drawText(img, lx, plotTop-22, 2, label, p.col)
		lx += textWidth(label, 2) + 24
	}

	bw := bufio.NewWriter(w)
	if err := png.Encode(bw, img); err != nil {
		return fmt.Errorf("encode png: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write png: %w", err)
	}
	return nil
}
