package bot_test

import (
	"strings"
	"testing"

	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
)

var (
	pvMia = tgfake.User{ID: 3201, FirstName: "Mia", Username: "mia", LanguageCode: "en"}
	pvAnn = tgfake.User{ID: 3202, FirstName: "Ann", Username: "ann", LanguageCode: "en"}
	pvBob = tgfake.User{ID: 3203, FirstName: "Bob", Username: "bob", LanguageCode: "en"}
	pvSam = tgfake.User{ID: 3204, FirstName: "Sam", Username: "sam", LanguageCode: "en"}
)

// A rep's /pipeline, /month and /deals show the deals on clients they may see:
// Ann's deals on Kestrel (one open, one won) leave her reports once Mia hands
// Kestrel to Bob, and come back when Mia shares it with her; her deal on
// Gamma stays throughout. Mia sees the team's all along. Sam, manager of
// South, learns nothing of North's clients or deals.
func TestDealReportsFollowTheClientRule(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { dealReportsFollowTheClientRule(t, apptest.New(t)) })
	t.Run("postgres", func(t *testing.T) { dealReportsFollowTheClientRule(t, apptest.New(t, apptest.Postgres(t))) })
}

func dealReportsFollowTheClientRule(t *testing.T, h *apptest.Harness) {
	h.Clock.Set(utcAt("2026-12-01", "09:00"))
	h.Member(pvMia, "North", "manager")
	h.Member(pvAnn, "North", "rep")
	h.Member(pvBob, "North", "rep")
	h.Member(pvSam, "South", "manager")
	must := func(u tgfake.User, text string, want ...string) string {
		t.Helper()
		got := h.Send(u, text)
		apptest.MustContain(t, got, want...)
		return apptest.Joined(got)
	}
	mustNot := func(what, said string, secrets ...string) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(said, s) {
				t.Errorf("%s shows %q:\n%s", what, s, said)
			}
		}
	}
	must(pvAnn, "/deal Kestrel; 20 cranes; 3.2M CNY; close 2026-12", "New deal for Kestrel: 20 cranes")
	must(pvAnn, "/deal Kestrel; 5 pumps; 800k CNY; close 2026-12", "New deal for Kestrel: 5 pumps")
	must(pvAnn, "/deal won #2 5 units 800k", "Won: Kestrel — 5 pumps")
	must(pvAnn, "/deal Gamma; 3 valves; 300k CNY; close 2026-12", "New deal for Gamma: 3 valves")
	all := []string{"Open deals: 2 deals · 23 units · 3,500,000 CNY"}
	must(pvAnn, "/pipeline", all...)
	must(pvAnn, "/month", "Won: 1 deal · 5 units", "Kestrel")

	must(pvMia, "/client Kestrel owner @bob", "Kestrel now belongs to Bob")
	mustNot("Ann's /pipeline", must(pvAnn, "/pipeline", "Your pipeline in North", "Open deals: 1 deal · 3 units · 300,000 CNY"), "Kestrel", "cranes", "23 units")
	mustNot("Ann's /month", must(pvAnn, "/month", "Your Dec 2026 so far in North", "Won: 0 deals"), "Kestrel", "pumps", "cranes")
	mustNot("Ann's /deals", must(pvAnn, "/deals", "valves"), "Kestrel", "cranes", "?")
	must(pvMia, "/pipeline", all...)
	must(pvMia, "/month", "Won: 1 deal · 5 units", "Kestrel")
	for _, text := range []string{"/pipeline North", "/month North", "/pipeline", "/month"} {
		mustNot("Sam's "+text, must(pvSam, text), "Kestrel", "Gamma", "cranes", "pumps", "valves", "23 units", "3 units")
	}

	must(pvMia, "/client Kestrel share @ann", "Ann")
	must(pvAnn, "/pipeline", all...)
	must(pvAnn, "/month", "Won: 1 deal · 5 units", "Kestrel")
	must(pvAnn, "/deals", "Kestrel", "cranes", "Gamma", "valves")
}
