package chart

import (
	"bytes"
	"image/png"
	"os"
	"testing"
)

func TestPipelinePNG(t *testing.T) {
	p := Pipeline{
		Title:       "Pipeline of North — Dec 2026",
		FunnelTitle: "Open deals by stage",
		RepsTitle:   "Dec 2026: forecast against target (units)",
		Legend:      [3]string{"won", "open, weighted", "target"},
		Empty:       "nothing",
		Stages: []FunnelStage{{"contact 10%", 10, "1 deal · 10 units"}, {"needs analysis 20%", 0, "0 deals"},
			{"demo / trial 50%", 20, "1 deal · 20 units"}, {"谈判 75%", 30, "1 个项目 · 30 台"}},
		Reps: []RepForecast{{Name: "Rita", Won: 5, Weighted: 10, Target: 42, HasTarget: true, Text: "15"},
			{Name: "张伟", Weighted: 22.5, Target: 30, HasTarget: true, Text: "22.5"}, {Name: "Bob", Text: "0"}},
	}
	data, err := PipelinePNG(p)
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
	if out := os.Getenv("SALESBOT_CHART_OUT"); out != "" {
		_ = os.WriteFile(out, data, 0o644) // to look at it
	}
	if _, err := PipelinePNG(Pipeline{Title: "x", Empty: "nothing"}); err != nil {
		t.Fatal(err)
	}
}
