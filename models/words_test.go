package models

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// Every value of every kind has words in every language's file, so a user
// can type every value in their own language.
func TestWordsComplete(t *testing.T) {
	langs := WordLanguages()
	if len(langs) < 2 {
		t.Fatalf("words files for %q, want en and zh at least", langs)
	}
	for _, lang := range langs {
		for kind, values := range valueKinds {
			for _, v := range values {
				if len(valueWords[lang][kind][v]) == 0 {
					t.Errorf("words/%s.toml: [%s] %s has no words", lang, kind, v)
				}
			}
		}
	}
	// Each kind's parse reads every value's words (the kinds are wired to
	// the right tables).
	parsers := map[string]func(string) (string, bool){
		kindStage:     func(s string) (string, bool) { return code(ParseStage(s)) },
		kindAttitude:  func(s string) (string, bool) { return code(ParseAttitude(s)) },
		kindMethod:    func(s string) (string, bool) { return code(ParseMethod(s)) },
		kindRole:      func(s string) (string, bool) { return code(ParseDecisionRole(s)) },
		kindObjection: func(s string) (string, bool) { return code(ParseObjectionCategory(s)) },
		kindGrade:     func(s string) (string, bool) { return code(ParseGrade(s)) },
		kindStep:      func(s string) (string, bool) { return code(ParseProcurementStep(s)) },
		kindLost:      func(s string) (string, bool) { return code(ParseLostReason(s)) },
		kindMetric:    func(s string) (string, bool) { return code(ParseTargetMetric(s)) },
	}
	if len(parsers) != len(valueKinds) {
		t.Fatalf("%d parsers for %d kinds", len(parsers), len(valueKinds))
	}
	for _, lang := range langs {
		for kind, values := range valueWords[lang] {
			if slices.Contains(askedKinds, kind) {
				continue // TestFieldWordsComplete
			}
			for v, words := range values {
				for _, w := range words {
					if got, ok := parsers[kind](w); !ok || got != v {
						t.Errorf("words/%s.toml: [%s] %q parses as %q, %v; want %s", lang, kind, w, got, ok, v)
					}
				}
			}
		}
	}
}

func TestLoadWordsRefusesUnknown(t *testing.T) {
	cases := map[string]string{
		"[colour]\nred = [\"red\"]\n": "unknown kind [colour]",
		"[stage]\nwon = [\"won\"]\n":  `[stage] has no value "won"`,
		"[stage]\ncontact = \"x\"\n":  "parse words",
		"stage = [\"contact\"]\n":     "parse words",
	}
	for data, want := range cases {
		_, err := loadWords(fstest.MapFS{"w/xx.toml": {Data: []byte(data)}}, "w")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("loadWords(%q) = %v, want %q", data, err, want)
		}
	}
	if _, err := loadWords(fstest.MapFS{}, "w"); err == nil {
		t.Error("loadWords of no files succeeded")
	}
}

// A word that means two values of one kind stops the program at start.
func TestKeywordsRefuseAmbiguity(t *testing.T) {
	for name, table := range map[string]map[Stage][]string{
		"two values": {StageDemo: {"Demo"}, StageLost: {"demo"}},
		"empty word": {StageDemo: {"--"}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: newKeywords did not panic", name)
				}
			}()
			newKeywords(kindStage, table)
		}()
	}
	// The same word twice for one value is fine (two languages may share it).
	if k := newKeywords(kindGrade, map[Grade][]string{GradeA: {"A", "a"}}); k["a"] != GradeA {
		t.Errorf("shared word: %v", k)
	}
}

// Every field a field table asks words for (and every other list code asks
// for) has words in every language, and every key of those kinds a words
// file holds is one code asks for.
func TestAskedWordsComplete(t *testing.T) {
	for _, kind := range askedKinds {
		if len(askedWords[kind]) == 0 {
			t.Fatalf("no code asks [%s] words: %v", kind, askedWords)
		}
	}
	for _, lang := range WordLanguages() {
		for _, kind := range askedKinds {
			for _, f := range askedWords[kind] {
				if len(valueWords[lang][kind][f]) == 0 {
					t.Errorf("words/%s.toml: [%s] %s has no words", lang, kind, f)
				}
			}
			for name := range valueWords[lang][kind] {
				if !slices.Contains(askedWords[kind], name) {
					t.Errorf("words/%s.toml: [%s] %s is not read by any code", lang, kind, name)
				}
			}
		}
	}
	// The quick entry's examples name fields by their first word: English.
	for _, f := range VisitFields {
		if len(f.Keywords) > 0 && f.Keywords[0] != valueWords["en"][kindVisitField][string(f.Name)][0] {
			t.Errorf("%s: first keyword %q is not English", f.Name, f.Keywords[0])
		}
	}
}
