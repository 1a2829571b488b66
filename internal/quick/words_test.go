package quick

import (
	"slices"
	"strings"
	"testing"
)

// Every list the parsers read has words in every language (tables some
// languages do without are read whole and may be missing), and every list
// a words file holds is one the parsers read: a typo in a file or in code
// fails here, not in a user's chat.
func TestWordsComplete(t *testing.T) {
	langs := WordLanguages()
	if len(langs) < 2 {
		t.Fatalf("words files for %q, want en and zh at least", langs)
	}
	if len(askedWords) == 0 || len(askedTables) == 0 {
		t.Fatal("no words asked for")
	}
	for _, lang := range langs {
		for asked := range askedWords {
			table, key, _ := strings.Cut(asked, ".")
			if len(wordFiles[lang][table][key]) == 0 {
				t.Errorf("words/%s.toml: [%s] %s has no words", lang, table, key)
			}
		}
		for table := range askedTables {
			if len(wordFiles[lang][table]) == 0 && !slices.Contains(optionalTables, table) {
				t.Errorf("words/%s.toml: no [%s] table", lang, table)
			}
		}
		for table, keys := range wordFiles[lang] {
			for key, ws := range keys {
				if !askedWords[table+"."+key] && !askedTables[table] {
					t.Errorf("words/%s.toml: [%s] %s is not read by any parser", lang, table, key)
				}
				for _, w := range ws {
					if strings.TrimSpace(w) == "" {
						t.Errorf("words/%s.toml: [%s] %s has an empty word", lang, table, key)
					}
				}
			}
		}
	}
	for _, table := range optionalTables {
		if !askedTables[table] {
			t.Errorf("optional table [%s] is not read whole", table)
		}
	}
}

func TestWordTableRefusesBadKeys(t *testing.T) {
	for _, key := range []string{"0", "x", "19"} {
		if _, err := powerOfTen(key); err == nil {
			t.Errorf("powerOfTen(%q) accepted", key)
		}
	}
	for _, key := range []string{"cny", "XXX1", ""} {
		if _, err := currencyCode(key); err == nil {
			t.Errorf("currencyCode(%q) accepted", key)
		}
	}
	if _, err := monthOfName("sept"); err == nil {
		t.Error("monthOfName(sept) accepted")
	}
}
