package main

import (
	"bytes"
	"image"
	"image/png"
	"testing"
	"time"
)

// barHeight is the height of the bar of bin i: bar-coloured pixels in the bin's middle column.
func barHeight(img image.Image, i int) int {
	x0, x1 := binX(i)
	x := (x0 + x1) / 2
	h := 0
	for y := plotTop; y < plotBottom; y++ {
		r, g, b, _ := img.At(x, y).RGBA()
		if uint8(r>>8) == colBar.R && uint8(g>>8) == colBar.G && uint8(b>>8) == colBar.B {
			h++
		}
	}
	return h
}

func TestHistogramImageReflectsTheData(t *testing.T) {
	var lat []time.Duration
	for range 30 {
		lat = append(lat, 10*time.Millisecond)
	}
	for range 10 {
		lat = append(lat, 50*time.Millisecond)
	}
	lat = append(lat, 100*time.Millisecond) // sorted; the x axis runs to 100 ms, 2 ms per bin
	var buf bytes.Buffer
	if err := writeHistogram(&buf, "cached-report, 8 clients", lat); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != chartW || b.Dy() != chartH {
		t.Fatalf("size %v", b)
	}
	full := plotBottom - plotTop
	want := map[int]int{5: full, 25: (full*10 + 15) / 30, 49: (full + 15) / 30} // 10 ms, 50 ms, 100 ms
	for i := range bins {
		if got := barHeight(img, i); got != want[i] {
			t.Errorf("bin %d: bar %d px, want %d", i, got, want[i])
		}
	}
	// The percentile lines stand at p50 = 10 ms, p90 = 50 ms, p99 = 100 ms.
	for _, p := range []struct {
		d   time.Duration
		col [3]uint8
	}{{10 * time.Millisecond, [3]uint8{colP50.R, colP50.G, colP50.B}}, {50 * time.Millisecond, [3]uint8{colP90.R, colP90.G, colP90.B}},
		{100 * time.Millisecond, [3]uint8{colP99.R, colP99.G, colP99.B}}} {
		r, g, b, _ := img.At(latencyX(p.d, 100*time.Millisecond), (plotTop+plotBottom)/2).RGBA()
		if [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)} != p.col {
			t.Errorf("no percentile line at %s", p.d)
		}
	}
	// The title is drawn: ink in the title band.
	ink := 0
	for y := 12; y < 12+2*glyphH; y++ {
		for x := plotLeft; x < plotLeft+200; x++ {
			if r, _, _, _ := img.At(x, y).RGBA(); uint8(r>>8) == colInk.R {
				ink++
			}
		}
	}
	if ink < 50 {
		t.Errorf("title: %d ink pixels", ink)
	}
}

func TestHistogramOfNothing(t *testing.T) {
	var buf bytes.Buffer
	if err := writeHistogram(&buf, "empty", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(&buf); err != nil {
		t.Fatal(err)
	}
}

func TestNiceUpper(t *testing.T) {
	for in, want := range map[time.Duration]time.Duration{
		0: time.Millisecond, 900 * time.Microsecond: time.Millisecond, 100 * time.Millisecond: 100 * time.Millisecond,
		101 * time.Millisecond: 200 * time.Millisecond, 338 * time.Millisecond: 500 * time.Millisecond,
		1200 * time.Millisecond: 2 * time.Second, 7 * time.Second: 10 * time.Second,
	} {
		if got := niceUpper(in); got != want {
			t.Errorf("niceUpper(%s) = %s, want %s", in, got, want)
		}
	}
}

// Every glyph is 7 rows of 5 columns of '#' and '.'.
func TestGlyphs(t *testing.T) {
	for r, g := range glyphs {
		for _, row := range g {
			if len(row) != 5 || bytes.ContainsFunc([]byte(row), func(c rune) bool { return c != '#' && c != '.' }) {
				t.Errorf("glyph %q row %q", r, row)
			}
		}
	}
	for c := 'a'; c <= 'z'; c++ {
		if _, ok := glyphs[c]; !ok {
			t.Errorf("no glyph for %q", c)
		}
	}
}
