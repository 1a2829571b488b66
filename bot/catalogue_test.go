package bot

import (
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"salesbot/models"
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
	for _, lang := range c.Languages() {
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
		for _, lang := range c.Languages() {
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
	c, err := NewCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{"zh-hans": "zh", "zh-CN": "zh", "zh_TW": "zh", "ZH": "zh", "cn": "zh", "中文": "zh",
		"en-US": "en", "de": "en", "": "en", "english": "en"} {
		if got := c.Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
	// /lang takes a code or an alias, and says so for anything else.
	for in, want := range map[string]bool{"en": true, "zh": true, "中文": true, "zh-CN": true, "de": false, "english": false, "": false} {
		if _, ok := c.Match(in); ok != want {
			t.Errorf("Match(%q) ok = %v, want %v", in, ok, want)
		}
	}
}

// The languages are the language.LANG.toml files present, the fallback
// first, and every message file belongs to one of them.
func TestLanguagesAreTheFiles(t *testing.T) {
	c, err := NewCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	files, err := fs.Glob(localeFS, "locales/language.*.toml")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, f := range files {
		want = append(want, strings.TrimSuffix(strings.TrimPrefix(f, "locales/language."), ".toml"))
	}
	got := c.Languages()
	if len(got) != len(want) || got[0] != c.Fallback() || c.Fallback() != "en" {
		t.Fatalf("languages %v (fallback %s), files %v", got, c.Fallback(), want)
	}
	for _, lang := range want {
		if !slices.Contains(got, lang) {
			t.Errorf("language file for %s but it is not offered: %v", lang, got)
		}
		if keys, _ := c.Keys(lang); len(keys) == 0 {
			t.Errorf("%s has a language file but no messages", lang)
		}
	}
}

func TestFormatTime(t *testing.T) {
	c, err := NewCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	at := time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC) // 09:00 in Shanghai, a Monday
	for lang, want := range map[string][2]string{
		"en": {"Mon 30 Nov 2026 09:00", "Mon 30 Nov"},
		"zh": {"2026年11月30日 周一 09:00", "11月30日 周一"},
	} {
		l := c.Language(lang)
		if got := l.FormatTime(at, sh); got != want[0] {
			t.Errorf("%s time: %q, want %q", lang, got, want[0])
		}
		if got := l.FormatDay(at, sh); got != want[1] {
			t.Errorf("%s day: %q, want %q", lang, got, want[1])
		}
	}
	if got := c.Language("en").FormatTime(time.Time{}, sh); got != "" {
		t.Errorf("zero time renders %q", got)
	}
	// Every weekday and month: the names replace Go's, the rest is the layout.
	for d := range 7 {
		day := time.Date(2026, 3, 1+d, 14, 5, 0, 0, time.UTC) // 1 March 2026 is a Sunday
		if got, want := c.Language("en").FormatTime(day, time.UTC), day.Format("Mon 2 Jan 2006 15:04"); got != want {
			t.Errorf("en %v: %q, want %q", day, got, want)
		}
		if got, want := c.Language("zh").FormatDay(day, time.UTC), fmt.Sprintf("3月%d日 %s", 1+d, c.Language("zh").Weekdays[d]); got != want {
			t.Errorf("zh %v: %q, want %q", day, got, want)
		}
	}
	for m := range 12 {
		day := time.Date(2026, time.Month(m+1), 15, 0, 0, 0, 0, time.UTC)
		if got, want := c.Language("en").FormatDay(day, time.UTC), day.Format("Mon 2 Jan"); got != want {
			t.Errorf("en %v: %q, want %q", day, got, want)
		}
	}
}

// A language file that does not read is refused with what is wrong, so a
// new language cannot start half-described.
func TestBadLanguageFiles(t *testing.T) {
	en, err := fs.ReadFile(localeFS, "locales/language.en.toml")
	if err != nil {
		t.Fatal(err)
	}
	base := func() fstest.MapFS {
		return fstest.MapFS{"language.en.toml": {Data: en}, "people.en.toml": {Data: []byte(`x = "x"`)}}
	}
	for name, tc := range map[string]struct {
		file, data, want string
	}{
		"no fallback":     {"language.en.toml", strings.Replace(string(en), "fallback = true", "fallback = false", 1), "exactly one language"},
		"two fallbacks":   {"language.de.toml", string(en), "exactly one language"},
		"six weekdays":    {"language.de.toml", `name = "Deutsch"` + "\nweekdays = [\"So\"]", "weekdays has 1 names"},
		"typo":            {"language.de.toml", `nmae = "Deutsch"`, "unknown setting nmae"},
		"orphan messages": {"people.de.toml", `x = "x"`, "no language.de.toml"},
		"word means two":  {"language.de.toml", strings.NewReplacer("fallback = true", "fallback = false", `this = ["this"]`, `this = ["next"]`).Replace(string(en)), "means both"},
		"bad name":        {"people.toml", `x = "x"`, "FEATURE.LANG.toml"},
	} {
		fsys := base()
		fsys[tc.file] = &fstest.MapFile{Data: []byte(tc.data)}
		if _, err := LoadCatalogue(fsys); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
	if _, err := LoadCatalogue(base()); err != nil {
		t.Fatalf("the base loads: %v", err)
	}
}

// Every sub-command word code asks for has words in the fallback language,
// and a language file gives words only to meanings code asks for (a typo
// there would be a word nobody can use).
func TestWordsComplete(t *testing.T) {
	c, err := NewCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	known := map[word]bool{}
	for _, w := range allWords {
		if known[w] {
			t.Errorf("%s listed twice in allWords", w)
		}
		known[w] = true
	}
	for _, w := range c.definedWords(c.Fallback()) {
		delete(known, w)
	}
	for w := range known {
		t.Errorf("%s: no words in the fallback language %s", w, c.Fallback())
	}
	for _, lang := range c.Languages() {
		for _, w := range c.definedWords(lang) {
			if !slices.Contains(allWords, w) {
				t.Errorf("%s: words for %s, which no code reads", lang, w)
			}
		}
	}
	if !c.wordIs(wordPlanNext, " 下周 ") || !c.wordIs(wordPlanNext, "NEXT") || c.wordIs(wordPlanThis, "next") {
		t.Error("plan words do not read")
	}
	if w, ok := c.wordOf("休息日", settingWords...); !ok || w != wordSettingDaysOff {
		t.Errorf("休息日 reads as %q %v", w, ok)
	}
	if _, ok := c.wordOf("off", settingWords...); ok {
		t.Error("off is not a setting")
	}
	for _, w := range settingWords {
		if _, kept := teamSettings[w]; kept == (w == wordSettingTarget || w == wordSettingProb) {
			t.Errorf("setting %s: in teamSettings %v", w, kept)
		}
	}
	if len(teamSettings) != len(settingWords)-2 {
		t.Errorf("teamSettings has %d keys that are not settingWords", len(teamSettings)-len(settingWords)+2)
	}
	for in, want := range map[string]models.Role{"rep": models.RoleRep, "Manager": models.RoleManager, "经理": models.RoleManager,
		"销售": models.RoleRep, "mgr": models.RoleManager, "boss": models.RoleNone, "admin": models.RoleNone} {
		if got, _ := c.parseRole(in); got != want {
			t.Errorf("parseRole(%q) = %q, want %q", in, got, want)
		}
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

// /lang arguments, Telegram language codes and sub-command words are user
// text: reading them never panics, and always lands on a supported language
// or a declared meaning.
func FuzzLanguageAndWords(f *testing.F) {
	c, err := NewCatalogue()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"zh-hans", "EN_us", "中文", "", " off ", "下周", "zh-", "-", "ＯＦＦ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if lang := c.Normalize(s); !slices.Contains(c.Languages(), lang) {
			t.Fatalf("Normalize(%q) = %q, not a language", s, lang)
		}
		if lang, ok := c.Match(s); ok && !slices.Contains(c.Languages(), lang) {
			t.Fatalf("Match(%q) = %q", s, lang)
		}
		if w, ok := c.wordOf(s, settingWords...); ok && !slices.Contains(settingWords, w) {
			t.Fatalf("wordOf(%q) = %q, not a setting", s, w)
		}
		for _, w := range allWords {
			if got, ok := c.wordOf(s, w); c.wordIs(w, s) != (ok && got == w) {
				t.Fatalf("%q: wordIs(%s) and wordOf disagree", s, w)
			}
		}
	})
}

// definedWords lists the meanings lang's file gives words to.
func (c *Catalogue) definedWords(lang string) []word {
	var out []word
	for group, meanings := range c.Language(lang).Words {
		for meaning, ws := range meanings {
			if len(ws) > 0 {
				out = append(out, word(group+"."+meaning))
			}
		}
	}
	return out
}
