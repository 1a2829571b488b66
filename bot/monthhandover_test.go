package bot_test

import (
	"strings"
	"testing"

	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
)

var (
	mhMia = tgfake.User{ID: 3501, FirstName: "Mia", Username: "mia", LanguageCode: "en"}
	mhAnn = tgfake.User{ID: 3502, FirstName: "Ann", Username: "ann", LanguageCode: "en"}
	mhBob = tgfake.User{ID: 3503, FirstName: "Bob", Username: "bob", LanguageCode: "en"}
)

// The review sent on the 1st is read as the person it goes to, like their
// /month: Ann won deals on Kestrel and Gamma in November; Mia then handed
// Kestrel to Bob. On 1 December Ann's scheduled review is her `/month
// last`, word for word, and neither names Kestrel; Mia's is hers and
// names it. Bob's own review has none of Ann's deals.
func TestScheduledMonthReviewReadsAsItsReader(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { scheduledMonthReviewReadsAsItsReader(t, apptest.New(t)) })
	t.Run("postgres", func(t *testing.T) { scheduledMonthReviewReadsAsItsReader(t, apptest.New(t, apptest.Postgres(t))) })
}

func scheduledMonthReviewReadsAsItsReader(t *testing.T, h *apptest.Harness) {
	h.Clock.Set(utcAt("2026-11-10", "10:00"))
	h.Member(mhMia, "North", "manager")
	h.Member(mhAnn, "North", "rep")
	h.Member(mhBob, "North", "rep")
	apptest.MustContain(t, h.Send(mhMia, "/schedule summary off"), "weekly summary: off")
	apptest.MustContain(t, h.Send(mhAnn, "/deal Kestrel; 5 pumps; 800k CNY; close 2026-11"), "New deal for Kestrel: 5 pumps")
	apptest.MustContain(t, h.Send(mhAnn, "/deal Gamma; 3 valves; 300k CNY; close 2026-11"), "New deal for Gamma: 3 valves")
	apptest.MustContain(t, h.Send(mhAnn, "/deal won Kestrel 5 units 800k"), "Won: Kestrel — 5 pumps")
	apptest.MustContain(t, h.Send(mhAnn, "/deal won Gamma 3 units 300k"), "Won: Gamma — 3 valves")
	apptest.MustContain(t, h.Send(mhAnn, "/month"), "Won: 2 deals · 8 units", "Kestrel")
	apptest.MustContain(t, h.Send(mhMia, "/client Kestrel owner @bob"), "Kestrel now belongs to Bob")

	before := map[int64]int{}
	for _, u := range []tgfake.User{mhMia, mhAnn, mhBob} {
		before[u.ID] = len(monthReviews(h, u)) // the /month asked for above
	}
	h.Clock.Set(utcAt("2026-12-01", "09:00"))
	sendDue(t, h)
	sent := func(u tgfake.User) string {
		t.Helper()
		got := monthReviews(h, u)[before[u.ID]:]
		if len(got) != 1 {
			t.Fatalf("%s got %d reviews: %q", u.FirstName, len(got), apptest.Texts(got))
		}
		return got[0].Text
	}
	ann, mia, bob := sent(mhAnn), sent(mhMia), sent(mhBob)

	if asked := textOf(t, h.Send(mhAnn, "/month last"), "Ann's /month last"); ann != asked {
		t.Errorf("Ann's scheduled review and her /month last differ:\n%s\n\n/month last:\n%s", ann, asked)
	}
	for what, text := range map[string]string{"Ann's scheduled review": ann, "Bob's scheduled review": bob} {
		if strings.Contains(text, "Kestrel") || strings.Contains(text, "pumps") {
			t.Errorf("%s names the client handed over:\n%s", what, text)
		}
	}
	apptest.MustContain(t, []tgfake.Sent{{Text: ann}}, "🗓 Your Nov 2026 in North\nWon: 1 deal · 3 units · 300,000 CNY", "Gamma — 3 valves")
	if asked := textOf(t, h.Send(mhMia, "/month last"), "Mia's /month last"); mia != asked {
		t.Errorf("Mia's scheduled review and her /month last differ:\n%s\n\n/month last:\n%s", mia, asked)
	}
	apptest.MustContain(t, []tgfake.Sent{{Text: mia}}, "Won: 2 deals · 8 units · 1,100,000 CNY", "Kestrel — 5 pumps", "Gamma — 3 valves")
	if strings.Contains(bob, "Gamma") {
		t.Errorf("Bob's review shows Ann's deal:\n%s", bob)
	}
}
