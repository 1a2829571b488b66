package bot

import (
	"embed"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.toml
var localeFS embed.FS

// Languages the catalogue speaks, the first being the fallback.
var Languages = []string{"en", "zh"}

// Catalogue holds every user-facing string in every language.
type Catalogue struct {
	bundle     *i18n.Bundle
	localizers map[string]*i18n.Localizer
}

// NewCatalogue loads the embedded message files.
func NewCatalogue() (*Catalogue, error) {
	bundle := i18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &Catalogue{bundle: bundle, localizers: map[string]*i18n.Localizer{}}
	files, err := localeFiles()
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		data, err := localeFS.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read catalogue %s: %w", f, err)
		}
		// go-i18n takes the language from the name: people.zh.toml is zh.
		if _, err := bundle.ParseMessageFileBytes(data, f); err != nil {
			return nil, fmt.Errorf("parse catalogue %s: %w", f, err)
		}
	}
	for _, lang := range Languages {
		c.localizers[lang] = i18n.NewLocalizer(bundle, lang)
	}
	return c, nil
}

// localeFiles lists the catalogue files: one per feature and language,
// named FEATURE.LANG.toml, so features add strings without touching each
// other's files.
func localeFiles() ([]string, error) {
	entries, err := localeFS.ReadDir("locales")
	if err != nil {
		return nil, fmt.Errorf("list catalogue files: %w", err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, "locales/"+e.Name())
	}
	return out, nil
}

// NormalizeLang maps a Telegram language_code (en-US, zh-hans, zh-CN, ...)
// or a /lang argument to a catalogue language, English when unsupported.
func NormalizeLang(code string) string {
	code = strings.ToLower(strings.TrimSpace(code))
	switch {
	case strings.HasPrefix(code, "zh"), code == "cn", code == "中文":
		return "zh"
	default:
		return "en"
	}
}

// T renders message key in lang. A missing key renders as the key itself
// (and the catalogue test keeps that from shipping).
func (c *Catalogue) T(lang, key string, data map[string]any) string {
	l, ok := c.localizers[lang]
	if !ok {
		l = c.localizers[Languages[0]]
	}
	s, err := l.Localize(&i18n.LocalizeConfig{MessageID: key, TemplateData: data, Funcs: templateFuncs})
	if err != nil {
		return key
	}
	return s
}

// Has reports whether lang defines key itself (without fallback).
func (c *Catalogue) Has(lang, key string) bool {
	_, tag, err := c.localizers[lang].LocalizeWithTag(&i18n.LocalizeConfig{MessageID: key, Funcs: templateFuncs})
	return err == nil && tag == language.Make(lang)
}

// Keys lists the message ids defined for lang, across its files.
func (c *Catalogue) Keys(lang string) ([]string, error) {
	files, err := localeFiles()
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, f := range files {
		if !strings.HasSuffix(f, "."+lang+".toml") {
			continue
		}
		data, err := localeFS.ReadFile(f)
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

var weekdaysZH = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// FormatTime renders an instant as people read it in lang, in loc:
// "Mon 30 Nov 2026 09:00" / "2026年11月30日 周一 09:00".
func FormatTime(lang string, t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(loc)
	if lang == "zh" {
		return fmt.Sprintf("%d年%d月%d日 %s %02d:%02d", t.Year(), t.Month(), t.Day(), weekdaysZH[t.Weekday()], t.Hour(), t.Minute())
	}
	return t.Format("Mon 2 Jan 2006 15:04")
}

// FormatDay renders a calendar day: "Mon 30 Nov" / "11月30日 周一".
func FormatDay(lang string, t time.Time, loc *time.Location) string {
	t = t.In(loc)
	if lang == "zh" {
		return fmt.Sprintf("%d月%d日 %s", t.Month(), t.Day(), weekdaysZH[t.Weekday()])
	}
	return t.Format("Mon 2 Jan")
}
