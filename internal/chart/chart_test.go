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
}
