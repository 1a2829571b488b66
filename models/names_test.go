package models

import "testing"

func TestCoreKey(t *testing.T) {
	cases := map[string]string{
		"ACME Corp.":     "acme",
		"Acme Ltd":       "acme",
		"Acme":           "acme",
		"Acme Co":        "acme",
		"Mexico Trading": "mexicotrading", // "co" only as a whole word
		"Corp":           "corp",          // a name is never emptied
		"华为技术有限公司":       "华为",
		"华为":             "华为",
		"阿里巴巴集团":         "阿里巴巴",
	}
	for in, want := range cases {
		if got := CoreKey(in); got != want {
			t.Errorf("CoreKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCloseness(t *testing.T) {
	cases := []struct {
		a, b  string
		close bool
		exact bool
	}{
		{"acme corp", "ACME Corp.", true, true},
		{"Acme corp", "Ａｃｍｅ　Ｃｏｒｐ", true, true},
		{"acme", "ACME Corp.", true, false},
		{"Acme Ltd", "Acme Corp", true, false},
		{"Acne", "Acme", true, false},
		{"Acme Industries", "Acme", true, false},
		{"华为", "华为技术有限公司", true, false},
		{"深圳华为", "华为", true, false},
		{"华为", "华特", false, false},
		{"Globex", "Acme", false, false},
		{"IBM", "IBX Labs", false, false},
		{"Client 01", "Client 02", false, false},
		{"Plant 1", "Plant 12", false, false},
		{"Bosch", "Busch", true, false},
		{"", "Acme", false, false},
	}
	for _, c := range cases {
		s := Closeness(c.a, c.b)
		if (s >= CloseEnough) != c.close || (s == 1) != c.exact {
			t.Errorf("Closeness(%q, %q) = %.2f; want close=%v exact=%v", c.a, c.b, s, c.close, c.exact)
		}
	}
}

func TestMatchClient(t *testing.T) {
	clients := []*Client{{ID: 1, Name: "Acme Corp"}, {ID: 2, Name: "Globex"}, {ID: 3, Name: "Acme Logistics"}, {ID: 4, Name: "华为技术有限公司"}}
	exact, close := MatchClient("ACME corp.", clients, 3)
	if exact == nil || exact.ID != 1 || close != nil {
		t.Fatalf("exact: %+v %+v", exact, close)
	}
	exact, close = MatchClient("Acme Ltd", clients, 3)
	if exact != nil || len(close) != 2 || close[0].Client.ID != 1 || close[1].Client.ID != 3 {
		t.Fatalf("close: %+v", close)
	}
	exact, close = MatchClient("华为", clients, 3)
	if exact != nil || len(close) != 1 || close[0].Client.ID != 4 {
		t.Fatalf("华为: %+v", close)
	}
	if exact, close = MatchClient("Initech", clients, 3); exact != nil || len(close) != 0 {
		t.Fatalf("new name matched %+v %+v", exact, close)
	}
}

func TestLevenshtein(t *testing.T) {
	cases := []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"华为", "华特", 1}, {"flaw", "lawn", 2}}
	for _, c := range cases {
		if got := levenshtein([]rune(c.a), []rune(c.b)); got != c.d {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}

func TestValidateLimits(t *testing.T) {
	c := &Client{Name: "  "}
	if err := c.Validate(); ErrorCode(err) != EINVALID {
		t.Fatalf("empty name: %v", err)
	}
	long := make([]rune, MaxNameLen+1)
	for i := range long {
		long[i] = '名'
	}
	c = &Client{Name: string(long)}
	err := c.Validate()
	var e *Error
	if ErrorCode(err) != EINVALID || !asError(err, &e) || e.Data["Field"] != FieldClientName || e.Data["Max"] != MaxNameLen || e.Data["Len"] != MaxNameLen+1 {
		t.Fatalf("long name: %v", err)
	}
	c = &Client{Name: "Acme", Grade: "E"}
	if err := c.Validate(); ErrorCode(err) != EINVALID {
		t.Fatalf("grade E: %v", err)
	}
	v := &Visit{ClientID: 1, Stage: "bogus"}
	if err := v.Validate(); ErrorCode(err) != EINVALID {
		t.Fatalf("bogus stage: %v", err)
	}
	o := &Objection{ClientID: 1, Category: "weather"}
	if err := o.Validate(); ErrorCode(err) != EINVALID {
		t.Fatalf("bad category: %v", err)
	}
}

func asError(err error, e **Error) bool {
	x, ok := err.(*Error)
	*e = x
	return ok
}
