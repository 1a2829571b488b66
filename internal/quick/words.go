package quick

import (
	"embed"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"salesbot/models"
)

// The parsers' own words ("close", "budget", "met ", "万") are data:
// internal/quick/words/LANG.toml, one file per language, read once when the
// program starts. The values they lead to ("demo", "price") and the names
// of a visit's fields are models' (models/words).
//
//go:embed words/*.toml
var wordsFS embed.FS

var wordFiles = mustReadWords()

func mustReadWords() map[string]models.WordFile {
	files, err := models.ReadWordFiles(wordsFS, "words")
	if err != nil {
		panic(err) // embedded data: the tests catch it at once
	}
	return files
}

// askedWords lists the "table.key" lists code reads, and askedTables the
// tables it reads whole, so the tests can check the files against them.
var (
	askedWords  = map[string]bool{}
	askedTables = map[string]bool{}
)

// optionalTables hold words only some languages have: month names (Chinese
// writes "3月"), magnitude words (万 and 亿 are Chinese, million English)
// and numerals written as characters (二十).
var optionalTables = []string{"month", "magnitude", "quantity_magnitude", "numeral", "numeral_unit"}

// WordLanguages lists the languages that have a words file here: every
// language the bot speaks needs one (the bot's catalogue test checks).
func WordLanguages() []string {
	return slices.Sorted(maps.Keys(wordFiles))
}

// words are table.key's words from every language, in language order and
// then file order (longer words first where one starts another).
func words(table, key string) []string {
	askedWords[table+"."+key] = true
	var out []string
	for _, lang := range WordLanguages() {
		out = append(out, wordFiles[lang][table][key]...)
	}
	return out
}

// foldedWords is words as a set of folded words.
func foldedWords(table, key string) map[string]bool {
	set := map[string]bool{}
	for _, w := range words(table, key) {
		set[models.Fold(w)] = true
	}
	return set
}

// wordTable maps each word of a whole table to what its key says, read by
// value (a currency code, a power of ten, a month); a word that means two
// things panics, and so do the tests.
func wordTable[V comparable](table string, value func(key string) (V, error)) map[string]V {
	askedTables[table] = true
	out := map[string]V{}
	for _, lang := range WordLanguages() {
		for key, ws := range wordFiles[lang][table] {
			v, err := value(key)
			if err != nil {
				panic(fmt.Sprintf("quick words/%s.toml: [%s] %s: %v", lang, table, key, err))
			}
			for _, w := range ws {
				w = strings.ToLower(w)
				if have, dup := out[w]; dup && have != v {
					panic(fmt.Sprintf("quick words [%s]: %q means both %v and %v", table, w, have, v))
				}
				out[w] = v
			}
		}
	}
	return out
}

// powerOfTen reads a [magnitude] key.
func powerOfTen(key string) (int, error) {
	n, err := strconv.Atoi(key)
	if err != nil || n < 1 || n > 18 {
		return 0, fmt.Errorf("want a power of ten from 1 to 18")
	}
	return n, nil
}

// currencyCode reads a [currency] key.
func currencyCode(key string) (string, error) {
	code, ok := models.ParseCurrency(key)
	if !ok || code != key {
		return "", fmt.Errorf("want an ISO currency code such as CNY")
	}
	return code, nil
}
