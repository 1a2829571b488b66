package quick

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"salesbot/models"
)

func TestParseCompetitors(t *testing.T) {
	tests := []struct {
		in   string
		want []models.Competitor
		key  string
	}{
		{in: "Brand X", want: []models.Competitor{{Name: "Brand X"}}},
		{in: "Brand X (model X1, unhappy, rep Li)", want: []models.Competitor{{Name: "Brand X", Product: "X1", Satisfaction: "unhappy", Rep: "Li"}}},
		{in: "Brand X (X1), Brand Y (rep: Wang; happy)", want: []models.Competitor{{Name: "Brand X", Product: "X1"}, {Name: "Brand Y", Satisfaction: "happy", Rep: "Wang"}}},
		{in: "某品牌（型号 X1，不满意，销售 李）、另一家", want: []models.Competitor{{Name: "某品牌", Product: "X1", Satisfaction: "不满意", Rep: "李"}, {Name: "另一家"}}},
		{in: "A (satisfaction low, uses old trucks)", want: []models.Competitor{{Name: "A", Product: "old trucks", Satisfaction: "low"}}},
		{in: "A (one, two, three)", want: []models.Competitor{{Name: "A", Product: "one", Satisfaction: "two, three"}}},
		{in: "", key: "err_deal_competitor_name"},
		{in: "(X1)", key: "err_deal_competitor_name"},
		{in: "A (X1", key: "err_deal_competitor_brackets"},
		{in: "A X1)", key: "err_deal_competitor_brackets"},
		{in: "A (X1) and more", key: "err_deal_competitor_brackets"},
		{in: strings.Repeat("a,", 30), key: "err_deal_too_many_competitors"},
	}
	for _, tt := range tests {
		got, err := ParseCompetitors(tt.in)
		if tt.key != "" {
			var e *models.Error
			if !asErr(err, &e) || e.Key != tt.key {
				t.Errorf("ParseCompetitors(%q) = %+v, %v; want %s", tt.in, got, err, tt.key)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseCompetitors(%q) =\n %+v, %v; want\n %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseNextStep(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	tests := []struct {
		in   string
		text string
		at   time.Time
		key  string
	}{
		{in: "demo 2027-01-15", text: "demo", at: time.Date(2027, 1, 15, 1, 0, 0, 0, time.UTC)},
		{in: "send the quote on friday", text: "send the quote", at: time.Date(2026, 12, 4, 1, 0, 0, 0, time.UTC)},
		{in: "tomorrow 10:00 call Li", text: "call Li", at: time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC)},
		{in: "演示 1月15日", text: "演示", at: time.Date(2027, 1, 15, 1, 0, 0, 0, time.UTC)},
		{in: "send quote", text: "send quote"},
		{in: "demo 2026-11-01", key: "err_deal_next_past"},
	}
	for _, tt := range tests {
		text, at, err := ParseNextStep(tt.in, dealNow, sh)
		if tt.key != "" {
			var e *models.Error
			if !asErr(err, &e) || e.Key != tt.key {
				t.Errorf("ParseNextStep(%q) = %q %v, %v; want %s", tt.in, text, at, err, tt.key)
			}
			continue
		}
		if err != nil || text != tt.text || !at.Equal(tt.at) {
			t.Errorf("ParseNextStep(%q) = %q %v, %v; want %q %v", tt.in, text, at, err, tt.text, tt.at)
		}
	}
}

// FuzzParseCompetitors: never panics; what it reads has names, within the
// limits, and nothing it reads holds a bracket it cut.
func FuzzParseCompetitors(f *testing.F) {
	for _, s := range []string{"Brand X (model X1, unhappy, rep Li), Brand Y", "某品牌（型号X1，不满意，销售 李）", "A (", "(x)", "a,b,,c", "A ((b))"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cs, err := ParseCompetitors(s)
		if err != nil {
			var e *models.Error
			if !asErr(err, &e) {
				t.Fatalf("ParseCompetitors(%q): %v is no models.Error", s, err)
			}
			return
		}
		if len(cs) == 0 || len(cs) > models.MaxDealCompetitor {
			t.Fatalf("ParseCompetitors(%q) = %d competitors", s, len(cs))
		}
		for _, c := range cs {
			if strings.TrimSpace(c.Name) == "" || utf8.RuneCountInString(c.Name) > models.MaxDealTitle {
				t.Fatalf("ParseCompetitors(%q): bad name %q", s, c.Name)
			}
		}
	})
}

// FuzzParseNextStep: never panics; a date it reads lies ahead.
func FuzzParseNextStep(f *testing.F) {
	for _, s := range []string{"demo 2027-01-15", "演示 1月15日", "call friday 10:00", "2026-02-30", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, at, err := ParseNextStep(s, dealNow, time.UTC)
		if err == nil && !at.IsZero() && !at.After(dealNow) {
			t.Fatalf("ParseNextStep(%q) = %v, not ahead", s, at)
		}
	})
}

// FuzzParseBudget: never panics; an amount it reads is positive and a
// status one of the known.
func FuzzParseBudget(f *testing.F) {
	for _, s := range []string{"approved 3M", "已批 300万", "none", "没预算", "3.2M CNY", "-1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, a, err := ParseBudget(s)
		if err != nil {
			return
		}
		if a.Minor < 0 || (st != models.BudgetKnown && st != models.BudgetApproved && st != models.BudgetNone) {
			t.Fatalf("ParseBudget(%q) = %q %+v", s, st, a)
		}
	})
}
