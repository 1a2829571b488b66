package quick

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"salesbot/models"
)

func TestParseUnseparated(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	known := []string{"小米", "Acme Corp", "Acme"}
	for _, c := range []struct {
		in, client, contact, suggest string
		stage                        models.Stage
		attitude                     models.Attitude
		next                         string
	}{
		{in: "小米 见了张工 谈判", client: "小米", contact: "张工", stage: models.StageNegotiation},
		{in: "小米见了张工 谈判", client: "小米", contact: "张工", stage: models.StageNegotiation},
		{in: "Acme met Li demo warm", client: "Acme", contact: "Li", stage: models.StageDemo, attitude: models.AttitudeWarm},
		{in: "Acme Corp demo", client: "Acme Corp", stage: models.StageDemo},
		{in: "Acme met Li (buyer) demo next: send quote", client: "Acme", contact: "Li", stage: models.StageDemo, next: "send quote"},
		{in: "大疆 见了王工 报价", suggest: "大疆; 见了王工; 报价"},
		{in: "Beta demo", suggest: "Beta; demo"},
		{in: "Acme Corp"}, {in: "Friday Foods"}, {in: "Acme; demo"}, {in: ""}, {in: "Beta Foods Ltd"},
		// By key, the longest prefix: case, width and punctuation aside.
		{in: "ACME corp. demo", client: "Acme Corp", stage: models.StageDemo},
		{in: "小米, 见了张工 谈判", client: "小米", contact: "张工", stage: models.StageNegotiation},
		{in: "Ａｃｍｅ demo", client: "Acme", stage: models.StageDemo},
		{in: "Acmecorp demo", client: "Acme Corp", stage: models.StageDemo}, // the key, as "/visit Acmecorp; demo" finds it
		{in: "Acmex demo", suggest: "Acmex; demo"},                          // "Acme" does not end at a word boundary
	} {
		u := ParseUnseparated(c.in, known, now, time.UTC)
		if u.Suggest != c.suggest {
			t.Errorf("%q: suggest %q, want %q", c.in, u.Suggest, c.suggest)
		}
		if c.client == "" {
			if u.Visit != nil {
				t.Errorf("%q: read as a visit to %q", c.in, u.Visit.Client)
			}
			continue
		}
		v := u.Visit
		if v == nil {
			t.Errorf("%q: not read", c.in)
			continue
		}
		contact := ""
		if len(v.Contacts) > 0 {
			contact = v.Contacts[0].Name
		}
		if v.Client != c.client || contact != c.contact || v.Stage != c.stage || v.Attitude != c.attitude || v.NextStep != c.next || len(v.Notes) != 0 {
			t.Errorf("%q: client %q contact %q stage %q attitude %q next %q notes %v", c.in, v.Client, contact, v.Stage, v.Attitude, v.NextStep, v.Notes)
		}
	}
}

func FuzzParseUnseparated(f *testing.F) {
	for _, s := range []string{"小米 见了张工 谈判", "Acme met Li (buyer) demo next: send quote", "大疆 见了王工 报价", "Acme", " ", "a b c d e f", "Foo tomorrow 26:00 demo", "大疆 明天88点"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > 4096 { // a Telegram message
			return
		}
		u := ParseUnseparated(in, []string{"小米", "Acme", "Acme Corp"}, now, time.UTC)
		if u.Visit != nil && u.Suggest != "" {
			t.Fatalf("%q: both a visit and a suggestion", in)
		}
		if u.Visit != nil && foldName(u.Visit.Client) == "" {
			t.Fatalf("%q: a visit without a client", in)
		}
		// The parts are read from the words, so the bad time is named as
		// words with one space between them.
		if u.BadTime != "" && (u.Suggest == "" || !strings.Contains(strings.Join(strings.Fields(in), " "), u.BadTime)) {
			t.Fatalf("%q: bad time %q", in, u.BadTime)
		}
		if u.Suggest != "" && strings.ReplaceAll(u.Suggest, "; ", " ") != strings.Join(strings.Fields(in), " ") {
			t.Fatalf("%q: suggestion %q is not the input with separators", in, u.Suggest)
		}
	})
}

func TestNamePrefixes(t *testing.T) {
	for in, want := range map[string]string{
		"Acme Corp met Li":  "Acme|Acme Corp|Acme Corp met|Acme Corp met Li",
		"  Acme, Inc. demo": "Acme|Acme,|Acme, Inc|Acme, Inc.|Acme, Inc. demo",
		"小米见了 张工":           "小|小米|小米见|小米见了|小米见了 张|小米见了 张工",
		"Acme; demo":        "",
		"":                  "",
	} {
		if got := strings.Join(NamePrefixes(in), "|"); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	// Bounded: at most MaxNamePrefixes, none longer than a client name.
	long := NamePrefixes(strings.Repeat("小", 4000))
	if len(long) != MaxNamePrefixes {
		t.Errorf("%d prefixes of a long Chinese line, want %d", len(long), MaxNamePrefixes)
	}
	for _, p := range NamePrefixes(strings.Repeat("abcdefghij ", 300)) {
		if n := len([]rune(p)); n > models.MaxNameLen {
			t.Errorf("a prefix of %d characters", n)
		}
	}
}

// BenchmarkParseUnseparatedLongLines reads lines of 4 KB (a Telegram
// message) whatever they hold: words that read as nothing, parts that
// grow, long words, Chinese, dates; ParseVisit too, since the bot reads a
// line without ";" that names no known client with it (a client part of
// dates took 0.5 s, a line of words 21–28 s before parts were bounded).
// Each is a few milliseconds at most (BENCHMARKS.md, "Unseparated /visit").
//
//	go test -run '^$' -bench ParseUnseparatedLongLines ./internal/quick/
func BenchmarkParseUnseparatedLongLines(b *testing.B) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	fill := func(head, word string) string {
		return head + strings.Repeat(word, (4096-len(head))/len(word))
	}
	for i, in := range []string{
		fill("Acme ", "a "), fill("Acme ", "foo "), fill("Beta ", "foo "), fill("Acme ", "1 "),
		fill("Acme met ", "Li "), fill("Acme met ", "Abcdefghijklmnopqrstuvwxyz "), fill("Acme next: ", "x "),
		fill("Acme ", "tomorrow "), fill("Acme ", "demo "), fill("Acme ", "abcdefghijklmno "),
		fill("小米 ", "小 "), fill("小米 ", "见了张工 谈判 "), fill("", "小"), fill("Acme ", "x"),
		fill("Acme ", "mon "), fill("Acme ", "dec 20 "), fill("小米", "下周三下午3点 "),
	} {
		b.Run(fmt.Sprintf("unseparated/shape%02d", i), func(b *testing.B) {
			for range b.N {
				ParseUnseparated(in, []string{"小米", "Acme", "Acme Corp"}, now, time.UTC)
			}
		})
		b.Run(fmt.Sprintf("visit/shape%02d", i), func(b *testing.B) {
			for range b.N {
				ParseVisit(in, now, time.UTC)
			}
		})
	}
}
