package quick

import (
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
		if len(in) > 300 {
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
