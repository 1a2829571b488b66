package models

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// The words people type for values ("demo", "报价", "closed lost") are data:
// models/words/LANG.toml, one file per language, [kind] tables of value =
// [words]. They are read once, when the program starts; a file that names
// an unknown kind or value, or a word that means two values of one kind,
// stops it (and the tests) at once.
//
//go:embed words/*.toml
var wordsFS embed.FS

// Value kinds: the tables of a words file.
const (
	kindStage     = "stage"
	kindAttitude  = "attitude"
	kindMethod    = "method"
	kindRole      = "role"
	kindObjection = "objection"
	kindGrade     = "grade"
	kindStep      = "procurement_step"
	kindLost      = "lost_reason"
	kindMetric    = "metric"

	// The words that name a record's field in a one-message entry
	// ("next: send quote"), keyed by the field's name.
	kindVisitField     = "visit_field"
	kindObjectionField = "objection_field"

	// kindList: the words between the items of a list ("buyer and user").
	kindList = "list"
	// kindPhone: the words before a phone number's extension ("ext 12").
	kindPhone = "phone"
)

// askedKinds are the kinds whose keys code asks for by name (askWords):
// which keys there are is what the code asks, so the tests check the files
// against askedWords rather than a list here.
var askedKinds = []string{kindVisitField, kindObjectionField, kindList, kindPhone}

// valueKinds lists every kind with its values: a words file may name only
// these, and must give each of them words (words_test).
var valueKinds = map[string][]string{
	kindStage:     append(codes(Stages), string(StageLost)),
	kindAttitude:  codes(Attitudes),
	kindMethod:    codes(Methods),
	kindRole:      codes(DecisionRoles),
	kindObjection: codes(ObjectionCategories),
	kindGrade:     codes(Grades),
	kindStep:      codes(ProcurementSteps),
	kindLost:      codes(LostReasons),
	kindMetric:    codes(TargetMetrics),
}

// WordFile is one language's words file: table → key → words. models reads
// its own (models/words); other packages with words of their own read theirs
// with ReadWordFiles.
type WordFile map[string]map[string][]string

// valueWords holds every language's words file by language code.
var valueWords = mustLoadWords(wordsFS, "words")

func mustLoadWords(fsys fs.FS, dir string) map[string]WordFile {
	files, err := loadWords(fsys, dir)
	if err != nil {
		panic(err) // embedded data: the tests catch it at once
	}
	return files
}

// loadWords reads models' words files and checks that they name only known
// kinds and values.
func loadWords(fsys fs.FS, dir string) (map[string]WordFile, error) {
	files, err := ReadWordFiles(fsys, dir)
	if err != nil {
		return nil, err
	}
	for lang, f := range files {
		for kind, values := range f {
			known, isValue := valueKinds[kind]
			if !isValue && !slices.Contains(askedKinds, kind) {
				return nil, fmt.Errorf("words %s/%s.toml: unknown kind [%s]", dir, lang, kind)
			}
			for v := range values {
				if isValue && !slices.Contains(known, v) {
					return nil, fmt.Errorf("words %s/%s.toml: [%s] has no value %q (values: %s)", dir, lang, kind, v, strings.Join(known, ", "))
				}
			}
		}
	}
	return files, nil
}

// ReadWordFiles reads dir/LANG.toml in fsys, one file per language, each
// made of [table]s of key = ["word", ...], and returns them by language.
func ReadWordFiles(fsys fs.FS, dir string) (map[string]WordFile, error) {
	names, err := fs.Glob(fsys, dir+"/*.toml")
	if err != nil {
		return nil, fmt.Errorf("list words files: %w", err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no words files in %s", dir)
	}
	out := map[string]WordFile{}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read words %s: %w", name, err)
		}
		f, err := parseWordFile(data)
		if err != nil {
			return nil, fmt.Errorf("parse words %s: %w", name, err)
		}
		out[strings.TrimSuffix(path.Base(name), ".toml")] = f
	}
	return out, nil
}

// parseWordFile reads one words file. It checks each type itself: the
// TOML library decodes a list where a table belongs as an empty table.
func parseWordFile(data []byte) (WordFile, error) {
	var raw map[string]any
	if _, err := toml.Decode(string(data), &raw); err != nil {
		return nil, err
	}
	f := WordFile{}
	for table, keys := range raw {
		values, ok := keys.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s is not a table [%s]", table, table)
		}
		f[table] = map[string][]string{}
		for key, list := range values {
			items, ok := list.([]any)
			if !ok {
				return nil, fmt.Errorf("[%s] %s is not a list of words", table, key)
			}
			for _, it := range items {
				w, ok := it.(string)
				if !ok {
					return nil, fmt.Errorf("[%s] %s: %v is not a word in quotes", table, key, it)
				}
				f[table][key] = append(f[table][key], w)
			}
		}
	}
	return f, nil
}

// WordLanguages lists the languages that have a words file, by code: every
// language the bot speaks needs one (the bot's catalogue test checks).
func WordLanguages() []string {
	var langs []string
	for lang := range valueWords {
		langs = append(langs, lang)
	}
	slices.Sort(langs)
	return langs
}

// kindKeywords gathers kind's words from every language: people's words
// work whatever their language.
func kindKeywords[T ~string](kind string) keywords[T] {
	table := map[T][]string{}
	for _, lang := range WordLanguages() {
		for v, words := range valueWords[lang][kind] {
			table[T(v)] = append(table[T(v)], words...)
		}
	}
	return newKeywords(kind, table)
}

// askedWords records the keys code asks words for, by kind, so the tests
// can check every language has words for each of them.
var askedWords = map[string][]string{}

// askWords are kind's words for key from every language, in language order
// (English first: the bot's examples use the first) and then file order.
func askWords(kind, key string) []string {
	askedWords[kind] = append(askedWords[kind], key)
	var out []string
	for _, lang := range WordLanguages() {
		out = append(out, valueWords[lang][kind][key]...)
	}
	return out
}

// fieldWords are the words naming field f of kind's record.
func fieldWords(kind string, f Field) []string { return askWords(kind, string(f)) }
