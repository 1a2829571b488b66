package bot

import (
	"sort"
	"strings"
	"testing"
	"time"
)

// Every key exists in every language, so no user ever sees a fallback or a
// raw key.
func TestCatalogueComplete(t *testing.T) {
	c, err := NewCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]bool{}
	for _, lang := range Languages {
		keys, err := c.Keys(lang)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, k := range keys {
			if seen[k] {
				t.Errorf("%s: key %q is defined in two files; one would silently win", lang, k)
			}
			seen[k] = true
			all[k] = true
		}
	}
	var missing []string
	for k := range all {
		for _, lang := range Languages {
			if !c.Has(lang, k) {
				missing = append(missing, lang+":"+k)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("catalogue keys missing: %s", strings.Join(missing, ", "))
	}
}

func TestCatalogueRenders(t *testing.T) {
	c, err := NewCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	got := c.T("zh", "joined", map[string]any{"Team": "华北", "Name": "王", "Role": "经理"})
	if got != "欢迎加入 华北,王!你的角色是经理。" {
		t.Fatalf("zh joined = %q", got)
	}
	if got := c.T("en", "no_such_key", nil); got != "no_such_key" {
		t.Fatalf("missing key renders %q", got)
	}
}

func TestNormalizeLang(t *testing.T) {
	for in, want := range map[string]string{"zh-hans": "zh", "zh-CN": "zh", "ZH": "zh", "en-US": "en", "de": "en", "": "en"} {
		if got := NormalizeLang(in); got != want {
			t.Errorf("NormalizeLang(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatTime(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	at := time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC) // 09:00 in Shanghai, a Monday
	if got := FormatTime("en", at, sh); got != "Mon 30 Nov 2026 09:00" {
		t.Errorf("en: %q", got)
	}
	if got := FormatTime("zh", at, sh); got != "2026年11月30日 周一 09:00" {
		t.Errorf("zh: %q", got)
	}
}

func TestCountsReadInEnglish(t *testing.T) {
	c, err := NewCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	for count, want := range map[int]string{0: "North — 0 members:", 1: "North — 1 member:", 2: "North — 2 members:"} {
		if got := c.T("en", "team_header", map[string]any{"Team": "North", "Count": count}); got != want {
			t.Errorf("count %d: %q, want %q", count, got, want)
		}
	}
	if got := c.T("zh", "team_header", map[string]any{"Team": "华北", "Count": 1}); got != "华北 — 共 1 人:" {
		t.Errorf("zh: %q", got)
	}
}
