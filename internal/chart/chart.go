// Package chart draws the weekly summary's picture as a PNG, with go-chart's
// raster renderer and an embedded font that has both Latin and Chinese
// glyphs (see fonts/README.md).
package chart

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"

	"github.com/golang/freetype/truetype"
	gochart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

//go:embed fonts/wqy-microhei.ttc.gz
var fontGz []byte

var (
	fontOnce sync.Once
	font     *truetype.Font
	fontErr  error
)

// Font returns the chart font, parsed once.
func Font() (*truetype.Font, error) {
	fontOnce.Do(func() { font, fontErr = loadFont(fontGz) })
	return font, fontErr
}

// loadFont unpacks the collection and parses its first face. freetype
// reads single fonts only, but a collection's table offsets count from the
// start of the file, so putting the first face's table directory at the
// start makes the same bytes a valid single font.
func loadFont(gz []byte) (*truetype.Font, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("unpack chart font: %w", err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("unpack chart font: %w", err)
	}
	if len(data) > 16 && string(data[:4]) == "ttcf" {
		off := int(binary.BigEndian.Uint32(data[12:16]))
		if off+12 > len(data) {
			return nil, errors.New("chart font: bad collection header")
		}
		n := int(binary.BigEndian.Uint16(data[off+4 : off+6]))
		end := off + 12 + 16*n
		if end > len(data) {
			return nil, errors.New("chart font: bad table directory")
		}
		dir := append([]byte(nil), data[off:end]...)
		copy(data, dir)
	}
	f, err := truetype.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("parse chart font: %w", err)
	}
	return f, nil
}

// RepBars is one rep's bars: visits planned, planned visits done, all visits.
type RepBars struct {
	Name                  string
	Planned, Done, Visits int
}

// Bar is a labelled count.
type Bar struct {
	Label string
	Value int
}

// Weekly is what the weekly chart shows; every text comes in the reader's
// language from the caller.
type Weekly struct {
	Title string
	// Legend names the three rep bars: planned, done as planned, visits.
	Legend          [3]string
	RepsTitle       string
	Reps            []RepBars
	ObjectionsTitle string
	Objections      []Bar
	// Empty is shown in a panel with nothing to draw.
	Empty string
	// Targets, when set, adds a panel below: attainment per rep against
	// target (and the picture grows to HeightWithTargets).
	Targets *Targets
}

// Targets is the month's attainment per rep as a share of each rep's
// target, against the pace line (the share of the month's working days
// gone by).
type Targets struct {
	Title   string
	PacePct int
	Reps    []TargetBar
}

// TargetBar is one rep's attainment: Pct of target, Label the numbers
// ("18/42"), Behind when the rep is behind pace (drawn orange).
type TargetBar struct {
	Name   string
	Pct    int
	Label  string
	Behind bool
}

// Size of the picture: Telegram shows photos up to 1280 px wide.
const (
	Width  = 1200
	Height = 675
	// HeightWithTargets is the height with the targets panel.
	HeightWithTargets = 955
)

var (
	colPlanned = drawing.ColorFromHex("9ecae1")
	colDone    = drawing.ColorFromHex("31a354")
	colVisits  = drawing.ColorFromHex("3182bd")
	colObj     = drawing.ColorFromHex("e6550d")
	colBehind  = drawing.ColorFromHex("fd8d3c")
	colPace    = drawing.ColorFromHex("de2d26")
	colText    = drawing.ColorFromHex("252525")
	colGrid    = drawing.ColorFromHex("dddddd")
	colAxis    = drawing.ColorFromHex("888888")
	colBg      = drawing.ColorWhite
)

type canvas struct {
	r gochart.Renderer
}

// newCanvas is a w×h picture to draw on, in the charts' font.
func newCanvas(w, h int) (canvas, error) {
	f, err := Font()
	if err != nil {
		return canvas{}, err
	}
	r, err := gochart.PNG(w, h)
	if err != nil {
		return canvas{}, fmt.Errorf("make a %d×%d chart canvas: %w", w, h, err)
	}
	r.SetDPI(96)
	r.SetFont(f)
	return canvas{r}, nil
}

func (c canvas) rect(x0, y0, x1, y1 int, fill drawing.Color) {
	c.r.SetFillColor(fill)
	c.r.SetStrokeColor(fill)
	c.r.SetStrokeWidth(0)
	c.r.MoveTo(x0, y0)
	c.r.LineTo(x1, y0)
	c.r.LineTo(x1, y1)
	c.r.LineTo(x0, y1)
	c.r.Close()
	c.r.FillStroke()
}

func (c canvas) line(x0, y0, x1, y1 int, col drawing.Color) {
	c.r.SetStrokeColor(col)
	c.r.SetStrokeWidth(1)
	c.r.MoveTo(x0, y0)
	c.r.LineTo(x1, y1)
	c.r.Stroke()
}

func (c canvas) text(s string, size float64, col drawing.Color, x, y int) gochart.Box {
	c.r.SetFontSize(size)
	c.r.SetFontColor(col)
	b := c.r.MeasureText(s)
	c.r.Text(s, x, y)
	return b
}

func (c canvas) measure(s string, size float64) gochart.Box {
	c.r.SetFontSize(size)
	return c.r.MeasureText(s)
}

// centred draws s centred on x.
func (c canvas) centred(s string, size float64, col drawing.Color, x, y int) {
	w := c.measure(s, size).Width()
	c.text(s, size, col, x-w/2, y)
}

// fit shortens s with "…" until it is at most width pixels wide at size.
func (c canvas) fit(s string, size float64, width int) string {
	if c.measure(s, size).Width() <= width {
		return s
	}
	r := []rune(s)
	for n := len(r) - 1; n > 0; n-- {
		t := string(r[:n]) + "…"
		if c.measure(t, size).Width() <= width {
			return t
		}
	}
	return "…"
}

// niceMax rounds a maximum up to a value with an even tick step.
func niceMax(v int) (top, step int) {
	if v < 5 {
		return 5, 1
	}
	for _, s := range []int{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000} {
		if v/s <= 8 {
			top = (v + s - 1) / s * s
			return top, s
		}
	}
	step = (v/8 + 999) / 1000 * 1000
	return (v + step - 1) / step * step, step
}

// WeeklyPNG draws the chart: per rep, planned visits, planned visits done
// and all visits as grouped bars; beside it, the objection mix as
// horizontal bars.
func WeeklyPNG(w Weekly) ([]byte, error) {
	h := Height
	if w.Targets != nil {
		h = HeightWithTargets
	}
	c, err := newCanvas(Width, h)
	if err != nil {
		return nil, err
	}
	c.rect(0, 0, Width, h, colBg)
	c.text(w.Title, 22, colText, 30, 42)

	// Legend.
	lx := 30
	for i, col := range []drawing.Color{colPlanned, colDone, colVisits} {
		c.rect(lx, 62, lx+16, 78, col)
		b := c.text(w.Legend[i], 14, colText, lx+22, 77)
		lx += 22 + b.Width() + 24
	}
	repPanel(c, w, 30, 100, 760, Height-30)
	objPanel(c, w, 800, 100, Width-30, Height-30)
	if w.Targets != nil {
		targetPanel(c, w, 30, Height, Width-30, h-20)
	}

	var buf bytes.Buffer
	if err := c.r.Save(&buf); err != nil {
		return nil, fmt.Errorf("encode chart: %w", err)
	}
	return buf.Bytes(), nil
}

// barArea writes a bar panel's title and says where its n bars stand:
// below its head (head pixels from y0) and above the names under them
// (foot pixels from y1), right of the value axis. With no bars it writes
// empty there instead and says false.
func (c canvas) barArea(title string, n int, empty string, x0, y0, y1, head, foot int) (left, top, bottom int, ok bool) {
	c.text(title, 16, colText, x0, y0+14)
	left, top, bottom = x0+40, y0+head, y1-foot
	if n == 0 {
		c.text(empty, 14, colAxis, left, (top+bottom)/2)
		return left, top, bottom, false
	}
	return left, top, bottom, true
}

// valueAxis draws a bar chart's value axis over [left, x1] for values 0 to
// yMax between bottom and top: a gridline and its number (with unit) every
// step, then the base line at bottom. It returns the height of a value
// (one above yMax at top).
func (c canvas) valueAxis(left, top, x1, bottom, yMax, step int, unit string) (yOf func(int) int) {
	yOf = func(v int) int { return bottom - (bottom-top)*min(v, yMax)/yMax }
	for v := 0; v <= yMax; v += step {
		y := yOf(v)
		c.line(left, y, x1, y, colGrid)
		s := strconv.Itoa(v) + unit
		c.text(s, 12, colAxis, left-8-c.measure(s, 12).Width(), y+5)
	}
	c.line(left, bottom, x1, bottom, colAxis)
	return yOf
}

func repPanel(c canvas, w Weekly, x0, y0, x1, y1 int) {
	left, top, bottom, ok := c.barArea(w.RepsTitle, len(w.Reps), w.Empty, x0, y0, y1, 40, 40)
	if !ok {
		return
	}
	maxV := 0
	for _, rb := range w.Reps {
		maxV = max(maxV, rb.Planned, rb.Done, rb.Visits)
	}
	yMax, step := niceMax(maxV)
	yOf := c.valueAxis(left, top, x1, bottom, yMax, step, "")
	slot := (x1 - left) / len(w.Reps)
	bw := min(max(slot*2/9, 3), 40)
	for i, rb := range w.Reps {
		cx := left + slot*i + slot/2
		for j, b := range []struct {
			v   int
			col drawing.Color
		}{{rb.Planned, colPlanned}, {rb.Done, colDone}, {rb.Visits, colVisits}} {
			bx := cx - bw*3/2 + j*bw
			if b.v > 0 {
				c.rect(bx, yOf(b.v), bx+bw-2, bottom, b.col)
			}
			if bw >= 14 {
				c.centred(strconv.Itoa(b.v), 11, colText, bx+bw/2-1, yOf(b.v)-4)
			}
		}
		c.centred(c.fit(rb.Name, 13, slot-6), 13, colText, cx, bottom+22)
	}
}

func objPanel(c canvas, w Weekly, x0, y0, x1, y1 int) {
	c.text(w.ObjectionsTitle, 16, colText, x0, y0+14)
	top := y0 + 40
	if len(w.Objections) == 0 {
		c.text(w.Empty, 14, colAxis, x0, top+30)
		return
	}
	labelMax := (x1 - x0) / 2
	labelW := 0
	for _, b := range w.Objections {
		labelW = max(labelW, c.measure(c.fit(b.Label, 13, labelMax), 13).Width())
	}
	maxV := 1
	for _, b := range w.Objections {
		maxV = max(maxV, b.Value)
	}
	barX := x0 + labelW + 10
	barMax := x1 - barX - 40
	rowH := min((y1-top)/len(w.Objections), 44)
	for i, b := range w.Objections {
		y := top + i*rowH
		c.text(c.fit(b.Label, 13, labelMax), 13, colText, x0, y+rowH/2+5)
		bl := barMax * b.Value / maxV
		c.rect(barX, y+rowH/5, barX+max(bl, 2), y+rowH*4/5, colObj)
		c.text(strconv.Itoa(b.Value), 13, colText, barX+bl+6, y+rowH/2+5)
	}
}

// targetPanel draws each rep's attainment as a bar of percent of target,
// orange when behind pace, else green, with the numbers above and a line
// at pace and at 100 %.
func targetPanel(c canvas, w Weekly, x0, y0, x1, y1 int) {
	t := w.Targets
	left, top, bottom, ok := c.barArea(t.Title, len(t.Reps), w.Empty, x0, y0, y1, 40, 30)
	if !ok {
		return
	}
	maxV := 100
	for _, b := range t.Reps {
		maxV = max(maxV, b.Pct)
	}
	// Percent ticks: 25s up to 100 %, then 50s (100s past 300 %).
	step := 25
	switch {
	case maxV > 300:
		step = 100
	case maxV > 100:
		step = 50
	}
	yMax := (maxV + step - 1) / step * step
	yOf := c.valueAxis(left, top, x1, bottom, yMax, step, "%")
	c.line(left, yOf(100), x1, yOf(100), colAxis)
	slot := (x1 - left) / len(t.Reps)
	bw := min(max(slot/2, 4), 60)
	for i, b := range t.Reps {
		cx := left + slot*i + slot/2
		col := colDone
		if b.Behind {
			col = colBehind
		}
		if b.Pct > 0 {
			c.rect(cx-bw/2, yOf(b.Pct), cx+bw/2, bottom, col)
		}
		if slot >= 40 {
			c.centred(c.fit(b.Label, 11, slot-4), 11, colText, cx, yOf(b.Pct)-4)
		}
		c.centred(c.fit(b.Name, 13, slot-6), 13, colText, cx, bottom+20)
	}
	// The pace line, over the bars: where everyone should be by now.
	py := yOf(t.PacePct)
	for x := left; x < x1; x += 12 {
		c.rect(x, py-1, min(x+7, x1), py+1, colPace)
	}
}
