package bot

import (
	"slices"
	"testing"

	"salesbot/models"
)

// Every language the bot speaks has a words file for the values people
// type (models/words/LANG.toml), and no words file is for a language the
// bot does not offer: adding a language is adding both.
func TestCatalogueLanguagesHaveValueWords(t *testing.T) {
	c, err := NewCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	words := models.WordLanguages()
	for _, lang := range c.Languages() {
		if !slices.Contains(words, lang) {
			t.Errorf("language %s has no models/words/%s.toml (words files: %v)", lang, lang, words)
		}
	}
	for _, lang := range words {
		if !slices.Contains(c.Languages(), lang) {
			t.Errorf("models/words/%s.toml is for a language the catalogue does not offer (%v)", lang, c.Languages())
		}
	}
}
