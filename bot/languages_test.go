package bot_test

import (
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/BurntSushi/toml"

	"salesbot/internal/app"
	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
)

// germanLanguage describes a third language the way a translator would add
// it: one language file ...
const germanLanguage = `
name = "Deutsch"
aliases = ["deutsch"]
list_separator = ", "
weekdays = ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"]
months = ["Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"]
time_layout = "Mon, 2. Jan 2006, 15:04"
day_layout = "Mon, 2. Jan"

[words.away]
off = ["zurück"]

[words.plan]
next = ["nächste"]
`

// ... and a message file beside each feature's, here the English messages
// with a few translated.
var germanMessages = map[string]string{
	"joined":       "Willkommen bei {{.Team}}, {{.Name}}! Deine Rolle: {{.Role}}.",
	"role_rep":     "Außendienst",
	"cmd_help":     "diese Liste",
	"lang_set":     "Sprache: Deutsch.",
	"tz_show":      "Deine Zeitzone ist {{.TZ}}; dort ist es {{.Now}}.",
	"away_off":     "Willkommen zurück!",
	"digest_title": "📊 {{.Team}} — Tagesbericht, {{.Day}}",
}

// germanLocales is the embedded catalogue plus German, as files.
func germanLocales(t *testing.T) fs.FS {
	t.Helper()
	src := os.DirFS("locales")
	names, err := fs.Glob(src, "*.toml")
	if err != nil || len(names) == 0 {
		t.Fatalf("locale files: %v %v", names, err)
	}
	fsys := fstest.MapFS{"language.de.toml": {Data: []byte(germanLanguage)}}
	for _, name := range names {
		data, err := fs.ReadFile(src, name)
		if err != nil {
			t.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: data}
		if !strings.HasSuffix(name, ".en.toml") || strings.HasPrefix(name, "language.") {
			continue
		}
		var msgs map[string]string
		if err := toml.Unmarshal(data, &msgs); err != nil {
			t.Fatal(err)
		}
		for k, v := range germanMessages {
			if _, ok := msgs[k]; ok {
				msgs[k] = v
			}
		}
		var sb strings.Builder
		if err := toml.NewEncoder(&sb).Encode(msgs); err != nil {
			t.Fatal(err)
		}
		fsys[strings.Replace(name, ".en.", ".de.", 1)] = &fstest.MapFile{Data: []byte(sb.String())}
	}
	return fsys
}

// Adding a language is adding files: with a German language file and
// message files, a German Telegram user is answered in German, with German
// dates and words, /lang offers it, and the command menu has it.
func TestThirdLanguageIsFiles(t *testing.T) {
	h := apptest.New(t, apptest.WithConfig(func(c *app.Config) { c.Locales = germanLocales(t) }))
	hans := tgfake.User{ID: 301, FirstName: "Hans", LanguageCode: "de-DE"}
	h.Member(hans, "North", "rep")
	apptest.MustContain(t, h.Fake.SentTo(hans.ID), "Willkommen bei North, Hans! Deine Rolle: Außendienst.")

	// Dates in German names and layout (the harness starts Mon 23 Nov 2026 09:00 UTC).
	apptest.MustContain(t, h.Send(hans, "/tz"), "Deine Zeitzone ist UTC; dort ist es Mo, 23. Nov 2026, 09:00.")

	// German sub-command words work, for everyone.
	h.Send(hans, "/away 2026-11-23 2026-11-24")
	h.Send(apptest.Admin, "/away 2026-11-23 2026-11-24")
	apptest.MustContain(t, h.Send(hans, "/away zurück"), "Willkommen zurück!")
	apptest.MustContain(t, h.Send(apptest.Admin, "/away zurück"), "Welcome back!")

	// /lang offers the languages present, the fallback first.
	got := h.Send(hans, "/lang")
	if len(got) != 1 || len(got[0].Buttons) != 1 {
		t.Fatalf("/lang: %+v", got)
	}
	var labels []string
	for _, b := range got[0].Buttons[0] {
		labels = append(labels, b.Text+"="+b.Data)
	}
	if strings.Join(labels, " ") != "English=lang:en Deutsch=lang:de 中文=lang:zh" {
		t.Fatalf("/lang buttons: %v", labels)
	}
	apptest.MustContain(t, h.Tap(hans, got, "English"), "Language set to English.")
	apptest.MustContain(t, h.Send(hans, "/lang deutsch"), "Sprache: Deutsch.")
	apptest.MustContain(t, h.Send(hans, "/lang fr"), "I speak")

	// The command menu is published in each language: German for de.
	var help string
	for _, c := range h.Fake.CommandsFor("de") {
		if c.Command == "help" {
			help = c.Description
		}
	}
	if help != "diese Liste" {
		t.Fatalf("German menu /help = %q; menu %+v", help, h.Fake.CommandsFor("de"))
	}
	if len(h.Fake.CommandsFor("zh")) == 0 || len(h.Fake.Commands()) == 0 {
		t.Fatal("the zh and default menus are still published")
	}

	// Scheduled reports go to each manager in their language: German for a
	// German manager.
	greta := tgfake.User{ID: 302, FirstName: "Greta", LanguageCode: "de"}
	h.Member(greta, "North", "manager")
	h.Clock.Set(time.Date(2026, 11, 23, 18, 30, 0, 0, time.UTC))
	sendDue(t, h)
	apptest.MustContain(t, h.Fake.SentTo(greta.ID), "📊 North — Tagesbericht, Mo, 23. Nov")
}

// Chinese words and lists: the sub-command words of language.zh.toml work,
// and days off read as a Chinese list (周五、周六), like every other list.
func TestChineseSettingsWordsAndLists(t *testing.T) {
	h := apptest.New(t)
	h.Member(bob, "North", "rep")
	apptest.MustContain(t, h.Send(apptest.Admin, "/lang 中文"), "语言已切换为中文。")
	apptest.MustContain(t, h.Send(apptest.Admin, "/settings North 休息日 周五、周六"), "已保存。", "休息日:周五、周六")
	apptest.MustContain(t, h.Send(apptest.Admin, "/settings North 免打扰 关"), "免打扰时段:无")
	apptest.MustContain(t, h.Send(apptest.Admin, "/settings North daysoff 没有"), "休息日:无")
	// English words work for a Chinese user too.
	apptest.MustContain(t, h.Send(apptest.Admin, "/settings North daysoff sat sun"), "休息日:周六、周日")
}
