package quick

import (
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
		items, bad, badText := ParsePlanItems(s, planClients)
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
