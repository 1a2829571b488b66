package chart

import (
	"bytes"
	"image/png"
	"os"
	"testing"
)

func TestFontHasLatinAndChinese(t *testing.T) {
	f, err := Font()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range "Acme 华为报价 王芳 →é%" {
		if r != ' ' && f.Index(r) == 0 {
			t.Errorf("no glyph for %q", r)
		}
	}
}

func TestWeeklyPNG(t *testing.T) {
	w := Weekly{
		Title:     "North — 第48周 (11月23日–29日)",
		Legend:    [3]string{"计划", "按计划完成", "拜访"},
		RepsTitle: "每位销售的拜访", ObjectionsTitle: "异议分布", Empty: "无",
		Reps:       []RepBars{{"Bob", 2, 2, 3}, {"Carol", 0, 0, 0}, {"李伟", 2, 1, 3}, {"王芳芳芳芳芳芳芳芳芳芳芳芳芳", 12, 9, 14}},
		Objections: []Bar{{"价格", 5}, {"忙/没时间", 3}, {"satisfied with supplier", 1}},
	}
	data, err := WeeklyPNG(w)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != Width || b.Dy() != Height {
		t.Fatalf("size %v", b)
	}
	if p := os.Getenv("SALESBOT_CHART_OUT"); p != "" {
		_ = os.WriteFile(p, data, 0o644) // to look at it
	}
	// Empty panels draw too.
	if _, err := WeeklyPNG(Weekly{Title: "x", Empty: "nothing"}); err != nil {
		t.Fatal(err)
	}
	if _, err := WeeklyPNG(Weekly{Title: "x", Empty: "nothing", Targets: &Targets{Title: "units"}}); err != nil {
		t.Fatal(err)
	}
}

// With targets the picture is taller, and each rep's bar is drawn in the
// colour of where they stand against pace.
func TestWeeklyPNGWithTargets(t *testing.T) {
	w := Weekly{Title: "North", Legend: [3]string{"planned", "done", "visits"}, Empty: "none",
		Reps: []RepBars{{"Bob", 2, 2, 3}, {"Rita", 1, 1, 4}},
		Targets: &Targets{Title: "units in Nov 2026: done vs target (line: pace 76%)", PacePct: 76,
			Reps: []TargetBar{{"Bob", 16, "5/30", true}, {"Rita", 42, "18/42", true}, {"王芳", 130, "13/10", false}}}}
	data, err := WeeklyPNG(w)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != Width || b.Dy() != HeightWithTargets {
		t.Fatalf("size %v; want %dx%d", b, Width, HeightWithTargets)
	}
	if p := os.Getenv("SALESBOT_CHART_OUT"); p != "" {
		_ = os.WriteFile(p, data, 0o644)
	}
	// Somewhere in the panel there is the behind colour (Bob, Rita) and
	// the at-pace colour (王芳 at 130 %).
	var behind, ahead bool
	for y := Height; y < HeightWithTargets; y++ {
		for x := 0; x < Width; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			switch [3]uint32{r >> 8, g >> 8, b >> 8} {
			case [3]uint32{0xfd, 0x8d, 0x3c}:
				behind = true
			case [3]uint32{0x31, 0xa3, 0x54}:
				ahead = true
			}
		}
	}
	if !behind || !ahead {
		t.Errorf("targets panel colours: behind %v, at or above pace %v", behind, ahead)
	}
}
