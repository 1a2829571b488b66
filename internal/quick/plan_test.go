package quick

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"salesbot/models"
)

var planClients = []*models.Client{{ID: 1, Name: "Acme"}, {ID: 2, Name: "华为"}, {ID: 3, Name: "Beta"}, {ID: 4, Name: "ACME Corp."}, {ID: 5, Name: "Al"}}

func TestParsePlanItems(t *testing.T) {
	type it struct {
		day     time.Weekday
		id      int64
		client  string
		purpose string
	}
	cases := []struct {
		in   string
		want []it
		bad  int
	}{
		{"mon Acme demo; wed 华为 报价; fri Beta contract", []it{{time.Monday, 1, "Acme", "demo"}, {time.Wednesday, 2, "华为", "报价"}, {time.Friday, 3, "Beta", "contract"}}, 0},
		// The longest known name wins; case, width and punctuation do not count.
		{"tue acme corp intro call", []it{{time.Tuesday, 4, "ACME Corp.", "intro call"}}, 0},
		{"Thurs ＡＣＭＥ demo", []it{{time.Thursday, 1, "Acme", "demo"}}, 0},
		// Chinese weekdays, with or without a space, and glued names.
		{"周三华为报价；星期五 Beta 签合同", []it{{time.Wednesday, 2, "华为", "报价"}, {time.Friday, 3, "Beta", "签合同"}}, 0},
		{"星期一Acme演示", []it{{time.Monday, 1, "Acme", "演示"}}, 0},
		// "Al" is a client, but "Alpha" is a new one: names end at word ends.
		{"mon Alpha kickoff", []it{{time.Monday, 0, "Alpha", "kickoff"}}, 0},
		{"sun Gamma", []it{{time.Sunday, 0, "Gamma", ""}}, 0},
		{"mon Acme demo\n\ntue Beta", []it{{time.Monday, 1, "Acme", "demo"}, {time.Tuesday, 3, "Beta", ""}}, 0},
		// Unreadable items are refused with their number.
		{"Acme demo", nil, 1},
		{"mon Acme; Beta quote", nil, 2},
		{"mon", nil, 1},
		{"mon ...", nil, 1},
		{" ; ", nil, 1},
	}
	for _, c := range cases {
		got, bad, _ := ParsePlanItems(c.in, planClients)
		if bad != c.bad {
			t.Errorf("%q: bad item %d, want %d", c.in, bad, c.bad)
			continue
		}
		if len(got) != len(c.want) {
			t.Errorf("%q: %d items %+v, want %d", c.in, len(got), got, len(c.want))
			continue
		}
		for i, w := range c.want {
			g := got[i]
			if g.Weekday != w.day || g.ClientID != w.id || g.Client != w.client || g.Purpose != w.purpose {
				t.Errorf("%q item %d: %+v, want %+v", c.in, i+1, g, w)
			}
		}
	}
}

func FuzzParsePlanItems(f *testing.F) {
	for _, s := range []string{"mon Acme demo; wed 华为 报价", "周三华为报价", "星期一Acme演示", ";;", "fri", "mon Al", "mon Acme 26:00 demo", "周三 华为 明天88点"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 { // a Telegram message
			return
		}
		items, bad, badText := ParsePlanItems(s, planClients)
		// The clients the prefixes name read the plan as all clients do.
		found := foundBy(planClients, PlanNamePrefixes(s))
		if items2, bad2, badText2 := ParsePlanItems(s, found); fmt.Sprint(items2, bad2, badText2) != fmt.Sprint(items, bad, badText) {
			t.Fatalf("%q: with the clients found %+v %d %q, with all %+v %d %q", s, items2, bad2, badText2, items, bad, badText)
		}
		if bad == 0 {
			for _, it := range items {
				if foldName(it.Client) == "" || !utf8.ValidString(it.Client) && utf8.ValidString(s) {
					t.Fatalf("%q: item with no client %+v", s, it)
				}
				if it.ClientID == 0 && strings.TrimSpace(it.Client) != it.Client {
					t.Fatalf("%q: untrimmed new client %q", s, it.Client)
				}
				if bt, ok := BadTimeIn(it.Client + " " + it.Purpose); ok {
					t.Fatalf("%q: item %+v keeps the impossible time %q", s, it, bt)
				}
			}
		} else if bad < 1 || (badText == "" && strings.TrimSpace(s) != "") && items != nil {
			t.Fatalf("%q: bad=%d text=%q", s, bad, badText)
		}
	})
}

// An impossible time in a plan item fails the item (issue 11, item 12):
// never a client "26:00" or a purpose keeping it.
func TestPlanItemImpossibleTime(t *testing.T) {
	for in, want := range map[string]string{"mon Acme 26:00 demo": "26:00", "周三 华为 明天88点": "88点", "fri 25:61 Acme": "25:61", "周1 华为27点": "27点"} {
		items, bad, badText := ParsePlanItems("wed Acme demo; "+in, planClients)
		if items != nil || bad != 2 || badText != in {
			t.Errorf("%q: items %+v, bad %d %q", in, items, bad, badText)
		}
		if got, ok := BadTimeIn(badText); !ok || got != want {
			t.Errorf("BadTimeIn(%q) = %q, %v; want %q", badText, got, ok, want)
		}
	}
	for _, ok := range []string{"mon Acme 10:00 demo", "周三 华为 下午3点"} {
		if _, bad, _ := ParsePlanItems(ok, planClients); bad != 0 {
			t.Errorf("%q refused", ok)
		}
	}
}

// FuzzBadTimeIn: never panics; a time it names is in the text, and is one
// the dates package refuses.
func FuzzBadTimeIn(f *testing.F) {
	for _, s := range []string{"mon Acme 26:00 demo", "华为27点报价", "25:61", "13pm", "10:30", "明天88点", "1:100 scale"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 300 {
			return
		}
		bad, ok := BadTimeIn(s)
		if !ok {
			return
		}
		if bad == "" || !strings.Contains(s, bad) {
			t.Fatalf("%q: named %q", s, bad)
		}
	})
}

// foundBy is what LookupClientNames answers for names: the clients with
// one of their keys (models.NameKey).
func foundBy(clients []*models.Client, names []string) []*models.Client {
	keys := map[string]bool{}
	for _, n := range names {
		keys[models.NameKey(n)] = true
	}
	var out []*models.Client
	for _, c := range clients {
		if keys[models.NameKey(c.Name)] {
			out = append(out, c)
		}
	}
	return out
}

// The names a plan's items may start with: each item's prefixes after its
// weekday, none past the first unreadable item, at most MaxNamePrefixes an
// item; and the clients they find read the plan as the whole list does.
func TestPlanNamePrefixes(t *testing.T) {
	got := PlanNamePrefixes("mon Acme Corp demo; 周三华为报价")
	want := []string{"Acme", "Acme Corp", "Acme Corp demo", "华", "华为", "华为报", "华为报价"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("prefixes %q, want %q", got, want)
	}
	if got := PlanNamePrefixes("mon Acme; Beta quote; tue Gamma"); fmt.Sprint(got) != "[Acme]" {
		t.Errorf("past an unreadable item: %q", got)
	}
	long := "mon " + strings.Repeat("w ", 300) + "; tue " + strings.Repeat("字", 300)
	if got := PlanNamePrefixes(long); len(got) != 2*MaxNamePrefixes {
		t.Errorf("%d prefixes for two long items, want %d", len(got), 2*MaxNamePrefixes)
	}
	for _, c := range []string{"mon Acme demo; wed 华为 报价; fri Beta contract", "tue acme corp intro call", "周三华为报价；星期五 Beta 签合同",
		"mon Alpha kickoff", "Thurs ＡＣＭＥ demo", "mon Acme; Beta quote"} {
		all, bad, _ := ParsePlanItems(c, planClients)
		found, bad2, _ := ParsePlanItems(c, foundBy(planClients, PlanNamePrefixes(c)))
		if fmt.Sprint(all, bad) != fmt.Sprint(found, bad2) {
			t.Errorf("%q: with all clients %+v %d, with those found %+v %d", c, all, bad, found, bad2)
		}
	}
}

// BenchmarkParsePlanItemsLongMessages reads 4 KB plans (a Telegram
// message) of the shapes that made the parser work hardest; the prefixes
// and the parse are linear in the message, so each shape is a few
// milliseconds at most (BENCHMARKS.md, "/plan at 20,000 clients").
//
//	go test -run '^$' -bench ParsePlanItemsLongMessages ./internal/quick/
func BenchmarkParsePlanItemsLongMessages(b *testing.B) {
	fill := func(head, unit string) string {
		return head + strings.Repeat(unit, (4096-len(head))/len(unit))
	}
	for i, in := range []string{
		fill("", "mon a; "), fill("", "mon Acme demo; "), fill("", "周三华为报价；"), fill("mon Acme ", "a "), fill("mon ", "1 "),
		fill("mon Acme ", "26:00 "), fill("周一", "华"), fill("mon ", "x"), fill("mon Acme ", "下周三下午3点 "), fill("", "mon "),
		fill("mon Acme ", "dec 20 "), fill("", "周一华为27点；"), fill("mon ", "ACME Corp. "),
	} {
		b.Run(fmt.Sprintf("shape%02d", i), func(b *testing.B) {
			for range b.N {
				ParsePlanItems(in, foundBy(planClients, PlanNamePrefixes(in)))
			}
		})
	}
}
