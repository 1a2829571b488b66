package bot

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	i18ntemplate "github.com/nicksnyder/go-i18n/v2/i18n/template"
	"golang.org/x/text/language"
)

//go:embed locales/*.toml
var localeFS embed.FS

// Catalogue holds every user-facing string in every language, and what each
// language needs beyond its strings (its name, list separator, weekday and
// month names, date layouts, the sub-command words people type). Languages
// are what the files say: a language is supported when it has a
// language.LANG.toml, and adding one is adding that file and a
// FEATURE.LANG.toml beside each feature's files.
type Catalogue struct {
	bundle     *i18n.Bundle
	localizers map[string]*i18n.Localizer
	langs      map[string]*Language
	// order lists the language codes, the fallback first, then by code.
	order []string
	// files are the message files by language, for Keys.
	files map[string][]string
	src   fs.FS
	// words maps a word group, then a lower-case word, to what it means,
	// across all languages: people's words work whatever their language.
	words map[string]map[string]word
}

// Language is one language file (language.LANG.toml): how the language is
// named, chosen and written.
type Language struct {
	// Code is the file name's LANG: en, zh.
	Code string `toml:"-"`
	// Name is the language's name in itself, on the /lang buttons.
	Name string `toml:"name"`
	// Fallback marks the language of users whose own is not supported;
	// exactly one language has it.
	Fallback bool `toml:"fallback"`
	// Aliases are words that choose the language in /lang besides its code
	// (the code also matches Telegram's en-US, zh-hans, zh_CN, ...).
	Aliases []string `toml:"aliases"`
	// ListSeparator goes between the items of a list: ", " / "、".
	ListSeparator string `toml:"list_separator"`
	// Weekdays (Sunday first) and Months (January first) replace "Mon" and
	// "Jan" in the layouts.
	Weekdays []string `toml:"weekdays"`
	Months   []string `toml:"months"`
	// TimeLayout renders an instant, DayLayout a calendar day, both as Go
	// time layouts.
	TimeLayout string `toml:"time_layout"`
	DayLayout  string `toml:"day_layout"`
	// MonthFirst says how the language writes a slash date whose numbers
	// could both be the month: "5/6" is 6 May month-first (Chinese), 5 June
	// day-first (the English the bot writes, "Mon 23 Nov 2026").
	MonthFirst bool `toml:"month_first"`
	// LowerFirstInText lowers a label's first letter where it names a
	// field inside a sentence ("Next step" → "next step"); languages that
	// capitalise nouns, or have no case, leave it unset.
	LowerFirstInText bool `toml:"lower_first_in_text"`
	// Words are the sub-command words of this language: group → meaning →
	// words (see words.go for the groups and meanings code asks for).
	Words map[string]map[string][]string `toml:"words"`
}

const languageFile = "language" // language.LANG.toml; every other file holds messages

// NewCatalogue loads the embedded catalogue (bot/locales).
func NewCatalogue() (*Catalogue, error) {
	sub, err := fs.Sub(localeFS, "locales")
	if err != nil {
		return nil, fmt.Errorf("open embedded catalogue: %w", err)
	}
	return LoadCatalogue(sub)
}

// LoadCatalogue loads a catalogue from the *.toml files at the top of fsys:
// language.LANG.toml for each language and FEATURE.LANG.toml for its
// messages, one file per feature and language so features add strings
// without touching each other's files.
func LoadCatalogue(fsys fs.FS) (*Catalogue, error) {
	names, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, fmt.Errorf("list catalogue files: %w", err)
	}
	c := &Catalogue{localizers: map[string]*i18n.Localizer{}, langs: map[string]*Language{},
		files: map[string][]string{}, src: fsys, words: map[string]map[string]word{}}
	var messageFiles []string
	for _, name := range names {
		feature, lang, ok := splitLocaleName(name)
		if !ok {
			return nil, fmt.Errorf("catalogue file %s: want FEATURE.LANG.toml", name)
		}
		if feature != languageFile {
			messageFiles = append(messageFiles, name)
			c.files[lang] = append(c.files[lang], name)
			continue
		}
		l, err := loadLanguage(fsys, name, lang)
		if err != nil {
			return nil, err
		}
		c.langs[lang] = l
		c.order = append(c.order, lang)
	}
	if err := c.orderLanguages(); err != nil {
		return nil, err
	}
	c.bundle = i18n.NewBundle(language.Make(c.order[0]))
	c.bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	for _, name := range messageFiles {
		_, lang, _ := splitLocaleName(name)
		if c.langs[lang] == nil {
			return nil, fmt.Errorf("catalogue file %s: no %s.%s.toml describes language %q", name, languageFile, lang, lang)
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read catalogue %s: %w", name, err)
		}
		msgs, err := i18n.ParseMessageBytes(data, toml.Unmarshal)
		if err != nil {
			return nil, fmt.Errorf("parse catalogue %s: %w", name, err)
		}
		if err := c.bundle.AddMessages(language.Make(lang), msgs...); err != nil {
			return nil, fmt.Errorf("add catalogue %s: %w", name, err)
		}
	}
	for _, lang := range c.order {
		c.localizers[lang] = i18n.NewLocalizer(c.bundle, lang)
		if err := c.indexWords(c.langs[lang]); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// splitLocaleName reads FEATURE.LANG.toml.
func splitLocaleName(name string) (feature, lang string, ok bool) {
	stem, found := strings.CutSuffix(path.Base(name), ".toml")
	if !found {
		return "", "", false
	}
	feature, lang, ok = strings.Cut(stem, ".")
	return feature, lang, ok && feature != "" && lang != "" && !strings.Contains(lang, ".")
}

func loadLanguage(fsys fs.FS, name, code string) (*Language, error) {
	if _, err := language.Parse(code); err != nil {
		return nil, fmt.Errorf("catalogue file %s: %q is not a language code: %w", name, code, err)
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read catalogue %s: %w", name, err)
	}
	l := &Language{Code: code}
	md, err := toml.Decode(string(data), l)
	if err != nil {
		return nil, fmt.Errorf("parse catalogue %s: %w", name, err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		return nil, fmt.Errorf("catalogue file %s: unknown setting %s", name, undecoded[0])
	}
	switch {
	case l.Name == "":
		return nil, fmt.Errorf("catalogue file %s: name is missing", name)
	case len(l.Weekdays) != 7:
		return nil, fmt.Errorf("catalogue file %s: weekdays has %d names, want 7 (Sunday first)", name, len(l.Weekdays))
	case len(l.Months) != 12:
		return nil, fmt.Errorf("catalogue file %s: months has %d names, want 12", name, len(l.Months))
	case l.TimeLayout == "" || l.DayLayout == "":
		return nil, fmt.Errorf("catalogue file %s: time_layout and day_layout are needed", name)
	}
	return l, nil
}

// orderLanguages puts the one fallback language first.
func (c *Catalogue) orderLanguages() error {
	var fallback []string
	for _, code := range c.order {
		if c.langs[code].Fallback {
			fallback = append(fallback, code)
		}
	}
	if len(fallback) != 1 {
		return fmt.Errorf("catalogue: want exactly one language file with fallback = true, have %d (%s)", len(fallback), strings.Join(fallback, ", "))
	}
	slices.SortFunc(c.order, func(a, b string) int {
		switch {
		case a == fallback[0]:
			return -1
		case b == fallback[0]:
			return 1
		}
		return strings.Compare(a, b)
	})
	return nil
}

// Languages lists the supported language codes, the fallback first.
func (c *Catalogue) Languages() []string { return slices.Clone(c.order) }

// Fallback is the language of users whose own language is not supported.
func (c *Catalogue) Fallback() string { return c.order[0] }

// Match maps a Telegram language_code (en-US, zh-hans, zh_CN, ...) or a
// /lang argument (a code or an alias such as 中文) to a supported language.
func (c *Catalogue) Match(code string) (string, bool) {
	code = strings.ToLower(strings.TrimSpace(code))
	if code == "" {
		return "", false
	}
	for _, lang := range c.order {
		l := c.langs[lang]
		if code == lang || strings.HasPrefix(code, lang+"-") || strings.HasPrefix(code, lang+"_") {
			return lang, true
		}
		for _, a := range l.Aliases {
			if code == strings.ToLower(a) {
				return lang, true
			}
		}
	}
	return "", false
}

// Normalize is Match with the fallback for what is not supported.
func (c *Catalogue) Normalize(code string) string {
	if lang, ok := c.Match(code); ok {
		return lang
	}
	return c.Fallback()
}

// Language returns lang's description, the fallback's when unsupported.
func (c *Catalogue) Language(lang string) *Language {
	if l, ok := c.langs[lang]; ok {
		return l
	}
	return c.langs[c.Fallback()]
}

// T renders message key in lang. A missing key renders as the key itself
// (and the catalogue test keeps that from shipping).
func (c *Catalogue) T(lang, key string, data map[string]any) string {
	l, ok := c.localizers[lang]
	if !ok {
		l = c.localizers[c.Fallback()]
	}
	s, err := l.Localize(&i18n.LocalizeConfig{MessageID: key, TemplateData: data, TemplateParser: templateParser})
	if err != nil {
		return key
	}
	return s
}

// Has reports whether lang defines key itself (without fallback).
func (c *Catalogue) Has(lang, key string) bool {
	l, ok := c.localizers[lang]
	if !ok {
		return false
	}
	_, tag, err := l.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: key, TemplateParser: templateParser})
	return err == nil && tag == language.Make(lang)
}

// Keys lists the message ids defined for lang, across its files, once per
// definition (a key defined in two files is listed twice).
func (c *Catalogue) Keys(lang string) ([]string, error) {
	var keys []string
	for _, f := range c.files[lang] {
		data, err := fs.ReadFile(c.src, f)
		if err != nil {
			return nil, err
		}
		var m map[string]any
		if err := toml.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("parse %s: %w", f, err)
		}
		for k := range m {
			keys = append(keys, k)
		}
	}
	return keys, nil
}

// templateFuncs are available in every catalogue message. English needs
// "n" for counts with a noun ({{n .Visits `visit` `visits`}} → "1 visit",
// "3 visits"); Chinese has no plural forms and does not use it.
var templateFuncs = template.FuncMap{
	"n": func(count any, one, other string) string {
		c := fmt.Sprint(count)
		if c == "1" || c == "-1" {
			return c + " " + one
		}
		return c + " " + other
	},
}

// templateParser reads catalogue messages with templateFuncs. go-i18n
// parses a message again on every Localize whose config carries Funcs (it
// cannot know they never change); ours are fixed, so it may keep each
// message's parsed template, which it does for a Cacheable parser.
var templateParser i18ntemplate.Parser = cachedParser{&i18ntemplate.TextParser{Funcs: templateFuncs}}

type cachedParser struct{ *i18ntemplate.TextParser }

// Cacheable lets go-i18n parse each message once.
func (cachedParser) Cacheable() bool { return true }

// InText is a label as it stands inside a sentence.
func (l *Language) InText(label string) string {
	if !l.LowerFirstInText || label == "" {
		return label
	}
	first, size := utf8.DecodeRuneInString(label)
	return string(unicode.ToLower(first)) + label[size:]
}

// List joins items the way the language does ("a, b" / "a、b").
func (l *Language) List(items []string) string { return strings.Join(items, l.ListSeparator) }

// Weekday is a day's short name: "Mon" / "周一".
func (l *Language) Weekday(d time.Weekday) string { return l.Weekdays[d] }

// FormatTime renders an instant as people read it, in loc:
// "Mon 30 Nov 2026 09:00" / "2026年11月30日 周一 09:00".
func (l *Language) FormatTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return l.format(l.TimeLayout, t.In(loc))
}

// FormatDay renders a calendar day: "Mon 30 Nov" / "11月30日 周一".
func (l *Language) FormatDay(t time.Time, loc *time.Location) string {
	return l.format(l.DayLayout, t.In(loc))
}

// format is t.Format with the language's names for "Mon" and "Jan".
func (l *Language) format(layout string, t time.Time) string {
	var sb strings.Builder
	for layout != "" {
		i, name := strings.Index(layout, "Mon"), l.Weekdays[t.Weekday()]
		if j := strings.Index(layout, "Jan"); j >= 0 && (i < 0 || j < i) {
			i, name = j, l.Months[t.Month()-1]
		}
		if i < 0 {
			sb.WriteString(t.Format(layout))
			break
		}
		sb.WriteString(t.Format(layout[:i]))
		sb.WriteString(name)
		layout = layout[i+len("Mon"):]
	}
	return sb.String()
}
