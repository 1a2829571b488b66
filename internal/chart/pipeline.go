package chart

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math"

	gochart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// FunnelStage is one stage of the pipeline's funnel: its bar's length is
// Value (units, or deals when no deal has units), Text is written beside it.
type FunnelStage struct {
	Label string
	Value float64
	Text  string
}

// RepForecast is one rep's month: won so far and the weighted open deals
// expected to close, stacked, against the target (0: none).
type RepForecast struct {
	Name          string
	Won, Weighted float64
	Target        float64
	HasTarget     bool
	// Text is written above the bar (the forecast).
	Text string
}

// Pipeline is what the pipeline chart shows; every text comes in the
// reader's language from the caller.
type Pipeline struct {
	Title       string
	FunnelTitle string
	Stages      []FunnelStage
	RepsTitle   string
	// Legend names the rep bars: won, weighted open, target.
	Legend [3]string
	Reps   []RepForecast
	// Empty is shown in a panel with nothing to draw.
	Empty string
}

var (
	colWon      = drawing.ColorFromHex("31a354")
	colWeighted = drawing.ColorFromHex("a1d99b")
	colTarget   = drawing.ColorFromHex("de2d26")
	colFunnel   = drawing.ColorFromHex("3182bd")
)

// PipelinePNG draws the pipeline: the funnel by stage on the left, the
// forecast against the target per rep on the right.
func PipelinePNG(p Pipeline) ([]byte, error) {
	c, err := newCanvas(Width, Height)
	if err != nil {
		return nil, err
	}
	c.text(p.Title, 22, colText, 30, 42)
	funnelPanel(c, p, 30, 70, 560, Height-30)
	forecastPanel(c, p, 600, 70, Width-30, Height-30)
	return encodeOnWhite(c.r)
}

// collector takes the renderer's picture instead of its PNG encoding.
type collector struct{ img *image.RGBA }

func (c *collector) SetRGBA(i *image.RGBA) { c.img = i }

func (c *collector) Write(p []byte) (int, error) { return len(p), nil }

// encodeOnWhite puts the picture, drawn on a transparent canvas, on white
// (one pass over the pixels, where filling the background as a path is a
// rasterised polygon the size of the picture) and encodes it as PNG at
// the fastest compression: together about half the cost of drawing a
// white background and go-chart's default encoding.
func encodeOnWhite(r gochart.Renderer) ([]byte, error) {
	var col collector
	if err := r.Save(&col); err != nil || col.img == nil {
		return nil, fmt.Errorf("take pipeline chart: %v", err)
	}
	pix := col.img.Pix
	for i := 0; i+3 < len(pix); i += 4 {
		// Premultiplied alpha: white under a pixel adds 255-a to each channel.
		if a := pix[i+3]; a != 255 {
			w := 255 - a
			pix[i], pix[i+1], pix[i+2], pix[i+3] = pix[i]+w, pix[i+1]+w, pix[i+2]+w, 255
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, col.img); err != nil {
		return nil, fmt.Errorf("encode pipeline chart: %w", err)
	}
	return buf.Bytes(), nil
}

func funnelPanel(c canvas, p Pipeline, x0, y0, x1, y1 int) {
	c.text(p.FunnelTitle, 16, colText, x0, y0+14)
	top := y0 + 36
	maxV := 0.0
	for _, s := range p.Stages {
		maxV = math.Max(maxV, s.Value)
	}
	if len(p.Stages) == 0 || maxV <= 0 {
		c.text(p.Empty, 14, colAxis, x0, top+30)
		return
	}
	labelW := 0
	for _, s := range p.Stages {
		labelW = max(labelW, c.measure(c.fit(s.Label, 13, (x1-x0)/3), 13).Width())
	}
	barX0 := x0 + labelW + 10
	textRoom := 150
	barMax := x1 - barX0 - textRoom
	rowH := min((y1-top)/len(p.Stages), 64)
	for i, s := range p.Stages {
		y := top + i*rowH
		c.text(c.fit(s.Label, 13, (x1-x0)/3), 13, colText, x0, y+rowH/2+5)
		w := int(float64(barMax) * s.Value / maxV)
		if s.Value > 0 {
			w = max(w, 4)
			c.rect(barX0, y+rowH/8, barX0+w, y+rowH*7/8, colFunnel)
		}
		c.text(c.fit(s.Text, 12, x1-barX0-w-6), 12, colText, barX0+w+6, y+rowH/2+5)
	}
}

func forecastPanel(c canvas, p Pipeline, x0, y0, x1, y1 int) {
	lx := x0
	for i, col := range []drawing.Color{colWon, colWeighted, colTarget} {
		c.rect(lx, y0+26, lx+14, y0+40, col)
		b := c.text(p.Legend[i], 13, colText, lx+20, y0+39)
		lx += 20 + b.Width() + 18
	}
	left, top, bottom, ok := c.barArea(p.RepsTitle, len(p.Reps), p.Empty, x0, y0, y1, 60, 40)
	if !ok {
		return
	}
	maxV := 0.0
	for _, r := range p.Reps {
		maxV = math.Max(maxV, math.Max(r.Won+r.Weighted, r.Target))
	}
	yMax, step := niceMax(int(math.Ceil(maxV)))
	yOf := func(v float64) int { return bottom - int(float64(bottom-top)*v/float64(yMax)) }
	c.valueAxis(left, top, x1, bottom, yMax, step, "")
	slot := (x1 - left) / len(p.Reps)
	bw := min(max(slot/2, 4), 60)
	for i, r := range p.Reps {
		cx := left + slot*i + slot/2
		bx0, bx1 := cx-bw/2, cx+bw/2
		if r.Won > 0 {
			c.rect(bx0, yOf(r.Won), bx1, bottom, colWon)
		}
		if r.Weighted > 0 {
			c.rect(bx0, yOf(r.Won+r.Weighted), bx1, yOf(r.Won), colWeighted)
		}
		if r.HasTarget {
			ty := yOf(r.Target)
			c.rect(bx0-6, ty-1, bx1+6, ty+2, colTarget)
		}
		if bw >= 14 {
			c.centred(r.Text, 11, colText, cx, yOf(r.Won+r.Weighted)-4)
		}
		c.centred(c.fit(r.Name, 13, slot-6), 13, colText, cx, bottom+22)
	}
}
