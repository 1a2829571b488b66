package bot

import (
	"slices"
	"testing"

	"salesbot/internal/quick"
	"salesbot/models"
)

// Every language the bot speaks has the words files of the values people
// type (models/words/LANG.toml) and of the one-message parsers
// (internal/quick/words/LANG.toml), and no words file is for a language the
// bot does not offer: adding a language is adding all of them.
func TestCatalogueLanguagesHaveValueWords(t *testing.T) {
	c, err := NewCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	for dir, words := range map[string][]string{"models/words": models.WordLanguages(), "internal/quick/words": quick.WordLanguages()} {
		for _, lang := range c.Languages() {
			if !slices.Contains(words, lang) {
				t.Errorf("language %s has no %s/%s.toml (words files: %v)", lang, dir, lang, words)
			}
		}
		for _, lang := range words {
			if !slices.Contains(c.Languages(), lang) {
				t.Errorf("%s/%s.toml is for a language the catalogue does not offer (%v)", dir, lang, c.Languages())
			}
		}
	}
}
