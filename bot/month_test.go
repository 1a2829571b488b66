package bot_test

import (
	"strings"
	"testing"
	"time"

	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
	"salesbot/models"
)

var (
	mrRep   = tgfake.User{ID: 2901, FirstName: "Rita", LanguageCode: "en"}
	mrRepZh = tgfake.User{ID: 2902, FirstName: "张伟", LanguageCode: "zh"}
	mrMgr   = tgfake.User{ID: 2903, FirstName: "Mia", LanguageCode: "en"}
	mrMgrZh = tgfake.User{ID: 2904, FirstName: "王芳", LanguageCode: "zh"}
	mrLate  = tgfake.User{ID: 2905, FirstName: "Leo", LanguageCode: "en"}
)

// monthReviews are the month's reviews among what u was sent.
func monthReviews(h *apptest.Harness, u tgfake.User) []tgfake.Sent {
	var out []tgfake.Sent
	for _, s := range h.Fake.SentTo(u.ID) {
		if strings.HasPrefix(s.Text, "🗓") {
			out = append(out, s)
		}
	}
	return out
}

// November in East (Shanghai): Rita wins Acme (18 of 20 trucks, 900,000
// CNY) and loses Beta to Brand Y; 张伟 loses 华为 and 小米 on price. On
// 1 December at 09:00 Shanghai time (01:00 UTC) each manager gets the
// team's review once, each rep their own; not at 08:59, not twice, not
// after a restart. The numbers, by hand:
//
//	won 1 deal, 18 units, 900,000 CNY; lost 3 (price 2, competitor 1)
//	targets: Rita 42 units, 张伟 30; visits the process's 2 a working day
//	  (21 in November: 42), existing clients 5 — every client is new
//	Rita 18/42 units (42%), 3 visits (7%); 张伟 0/30, 2 visits (4%)
//	competitors: Brand X on Acme, Beta and 华为 (3), Brand Y on Beta, which
//	  was lost to it (1, lost 1), Brand Z on Gamma (1)
//	December: Gamma, 5 units at proposal (60 %): 3 units weighted
func TestMonthReviewOnTheFirst(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { monthReviewOnTheFirst(t, apptest.New(t)) })
	t.Run("postgres", func(t *testing.T) { monthReviewOnTheFirst(t, apptest.New(t, apptest.Postgres(t))) })
}

func monthReviewOnTheFirst(t *testing.T, h *apptest.Harness) {
	h.Clock.Set(shanghai("2026-11-10", "10:00"))
	h.Member(mrMgr, "East", "manager")
	h.Member(mrMgrZh, "East", "manager")
	h.Member(mrRep, "East", "rep")
	h.Member(mrRepZh, "East", "rep")
	apptest.MustContain(t, h.Send(mrMgr, "/settings tz Asia/Shanghai"), "Asia/Shanghai")
	apptest.MustContain(t, h.Send(mrMgr, "/schedule summary off"), "weekly summary: off")
	sendDue(t, h) // the team did not exist on 1 November: no review of October
	if got := monthReviews(h, mrMgr); len(got) != 0 {
		t.Fatalf("a review of a month before the team: %q", apptest.Texts(got))
	}
	for _, c := range []string{"Acme", "Beta", "Gamma"} {
		apptest.MustContain(t, h.Send(mrRep, "/visit "+c+"; phone"), c)
	}
	for _, c := range []string{"华为", "小米"} {
		apptest.MustContain(t, h.Send(mrRepZh, "/visit "+c+"; 面谈"), c)
	}
	apptest.MustContain(t, h.Send(mrRep, "/deal Acme; 20 trucks; 1M CNY; close 2026-11; vs Brand X"), "New deal for Acme")
	apptest.MustContain(t, h.Send(mrRep, "/deal Beta; 10 crates; 500k CNY; vs Brand X, Brand Y"), "New deal for Beta")
	apptest.MustContain(t, h.Send(mrRep, "/deal Gamma; 5 pumps; close 2026-12; vs Brand Z; proposal"), "New deal for Gamma")
	apptest.MustContain(t, h.Send(mrRepZh, "/deal 华为; 30台; 300万; 竞品 Brand X"), "华为")
	apptest.MustContain(t, h.Send(mrRepZh, "/deal 小米; 8台"), "小米")
	nov := models.Month{Year: 2026, Mon: time.November}
	setTarget(t, h, "East", mrRep, nov, models.MetricUnits, 42, "")
	setTarget(t, h, "East", mrRepZh, nov, models.MetricUnits, 30, "")

	h.Clock.Set(shanghai("2026-11-20", "15:00"))
	apptest.MustContain(t, h.Send(mrRep, "/deal won Acme 18 units 900k"), "🏆 Won: Acme — 20 trucks, 18 units, 900,000 CNY")
	apptest.MustContain(t, h.Send(mrRep, "/deal lost Beta competitor Brand Y"), "Reason: competitor (Brand Y)")
	apptest.MustContain(t, h.Send(mrRepZh, `/deal 丢单 华为 价格 "太贵了"`), "华为")
	apptest.MustContain(t, h.Send(mrRepZh, "/deal 丢单 小米 价格"), "小米")

	everyone := []tgfake.User{mrMgr, mrMgrZh, mrRep, mrRepZh}
	h.Clock.Set(shanghai("2026-12-01", "08:59"))
	sendDue(t, h)
	for _, u := range everyone {
		if got := monthReviews(h, u); len(got) != 0 {
			t.Fatalf("%s got a review before 09:00: %q", u.FirstName, apptest.Texts(got))
		}
	}
	h.Clock.Set(shanghai("2026-12-01", "09:00"))
	sendDue(t, h)
	for _, u := range everyone {
		if got := monthReviews(h, u); len(got) != 1 {
			t.Fatalf("%s got %d reviews: %q", u.FirstName, len(got), apptest.Texts(got))
		}
	}
	team := "🗓 East — Nov 2026: the month's review\nWon: 1 deal · 18 units · 900,000 CNY\nLost: 3 deals\n\n" +
		"Against targets:\n" +
		"• Rita (won 1, lost 1): units 18/42 (42%) · visits 3/42 (7%) · visits to existing clients 0/5 (0%)\n" +
		"• 张伟 (won 0, lost 2): units 0/30 (0%) · visits 2/42 (4%) · visits to existing clients 0/5 (0%)\n\n" +
		"🏆 Won (1):\n• Acme — 20 trucks · 18 units · 900,000 CNY · Rita\n\n" +
		"✖️ Lost (3):\n• Beta — 10 crates · competitor (Brand Y) · Rita\n• 华为 — 30台 · price — “太贵了” · 张伟\n• 小米 — 8台 · price · 张伟\n\n" +
		"Why we lost: price 2 · competitor 1\n" +
		"Competitors met: Brand X (3 deals) · Brand Y (1 deal, lost 1 to them) · Brand Z (1 deal)\n\n" +
		"📈 Pipeline for Dec 2026: 1 open deal expected to close, 5 units. Forecast: 3 units (won 0 + weighted 3). More: /pipeline"
	if got := monthReviews(h, mrMgr)[0].Text; got != team {
		t.Fatalf("Mia's review:\n%s\n\nwant:\n%s", got, team)
	}
	apptest.MustContain(t, monthReviews(h, mrMgrZh), "🗓 East —— 2026年11月月度回顾\n赢单:1 个项目 · 18 台 · 900,000 CNY\n丢单:3 个项目",
		"• 张伟(赢 0,丢 2):台数 0/30(0%) · 拜访 2/42(4%) · 老客户拜访 0/5(0%)",
		"丢单原因:价格 2 · 竞争对手 1", "遇到的竞争对手:Brand X(3 个项目) · Brand Y(1 个项目,其中丢给它 1 个) · Brand Z(1 个项目)")
	rita := "🗓 Your Nov 2026 in East\nWon: 1 deal · 18 units · 900,000 CNY\nLost: 1 deal\n\n" +
		"Against targets:\n• Rita (won 1, lost 1): units 18/42 (42%) · visits 3/42 (7%) · visits to existing clients 0/5 (0%)\n\n" +
		"🏆 Won (1):\n• Acme — 20 trucks · 18 units · 900,000 CNY\n\n" +
		"✖️ Lost (1):\n• Beta — 10 crates · competitor (Brand Y)\n\n" +
		"Why we lost: competitor 1\n" +
		"Competitors met: Brand X (2 deals) · Brand Y (1 deal, lost 1 to them) · Brand Z (1 deal)\n\n" +
		"📈 Pipeline for Dec 2026: 1 open deal expected to close, 5 units. Forecast: 3 units (won 0 + weighted 3). More: /pipeline"
	if got := monthReviews(h, mrRep)[0].Text; got != rita {
		t.Fatalf("Rita's review:\n%s\n\nwant:\n%s", got, rita)
	}
	zw := monthReviews(h, mrRepZh)
	apptest.MustContain(t, zw, "🗓 你在 East 的2026年11月\n赢单:0 个项目 · 0 台\n丢单:2 个项目",
		"• 张伟(赢 0,丢 2):台数 0/30(0%)", "✖️ 丢单(2):\n• 华为 —— 30台 · 价格 —— “太贵了”\n• 小米 —— 8台 · 价格", "丢单原因:价格 2",
		"遇到的竞争对手:Brand X(1 个项目)")
	if strings.Contains(zw[0].Text, "Rita") || strings.Contains(zw[0].Text, "Acme") {
		t.Fatalf("a rep's review shows a teammate's deals:\n%s", zw[0].Text)
	}

	// Again, and after a restart: nothing more.
	sendDue(t, h)
	restart(t, h)
	h.Clock.Advance(time.Hour)
	sendDue(t, h)
	for _, u := range everyone {
		if got := monthReviews(h, u); len(got) != 1 {
			t.Fatalf("%s got %d reviews after runs again and a restart", u.FirstName, len(got))
		}
	}
	// Someone who joins after 09:00 is not sent a November they were not in.
	h.Member(mrLate, "East", "rep")
	sendDue(t, h)
	if got := monthReviews(h, mrLate); len(got) != 0 {
		t.Fatalf("a rep who joined on the 1st after 09:00 got %q", apptest.Texts(got))
	}
	sends, err := h.App.DB.ReportSends(t.Context(), models.ReportMonth, "2026-11")
	if err != nil || len(sends) != 4 {
		t.Fatalf("records: %+v %v", sends, err)
	}

	// On demand: the same review; this month so far has nothing closed.
	if got := h.Send(mrMgr, "/month last"); len(got) != 1 || got[0].Text != team {
		t.Fatalf("/month last:\n%s", apptest.Joined(got))
	}
	apptest.MustContain(t, h.Send(mrMgrZh, "/month 2026-11"), "丢单原因:价格 2 · 竞争对手 1")
	apptest.MustContain(t, h.Send(mrMgr, "/month"), "🗓 East — Dec 2026 so far: the month's review\nWon: 0 deals · 0 units\nLost: 0 deals",
		"📈 Pipeline for Dec 2026: 1 open deal expected to close, 5 units.")
	apptest.MustContain(t, h.Send(mrMgr, "/month november"), "Lost: 3 deals")
	apptest.MustContain(t, h.Send(mrRep, "/month last"), "🗓 Your Nov 2026 in East")
	apptest.MustContain(t, h.Send(mrMgr, "/month 2026-13"), "I couldn't read “2026-13” as a month. Examples: /month · /month last · /month 2026-11")
	apptest.MustContain(t, h.Send(mrMgr, "/schedule"), "• month's review: the 1st, 09:00")
	apptest.MustContain(t, h.Send(mrMgr, "/schedule month 08:00"), "• month's review: the 1st, 08:00")
}

// A bot that was down on the 1st sends the review when it is back, once,
// saying when it was due; a time the team set is kept (07:30 in its zone);
// /schedule month off stops it.
func TestMonthReviewLateAndOff(t *testing.T) {
	h := apptest.New(t)
	h.Clock.Set(shanghai("2026-11-10", "10:00"))
	h.Member(mrMgr, "East", "manager")
	apptest.MustContain(t, h.Send(mrMgr, "/settings tz Asia/Shanghai"), "Asia/Shanghai")
	apptest.MustContain(t, h.Send(mrMgr, "/schedule summary off"), "weekly summary: off")
	h.Clock.Set(shanghai("2026-12-02", "10:00"))
	sendDue(t, h)
	sendDue(t, h)
	got := monthReviews(h, mrMgr)
	if len(got) != 1 {
		t.Fatalf("Mia got %d reviews: %q", len(got), apptest.Texts(got))
	}
	apptest.MustContain(t, got, "🗓 East — Nov 2026: the month's review\n(sent late: the bot was offline when this was due at Tue 1 Dec 2026 09:00)")
	sends, err := h.App.DB.ReportSends(t.Context(), models.ReportMonth, "2026-11")
	if err != nil || len(sends) != 1 || !sends[0].Late {
		t.Fatalf("records: %+v %v", sends, err)
	}
	// A time the team set: 07:30 in Shanghai.
	apptest.MustContain(t, h.Send(mrMgr, "/schedule month 07:30"), "• month's review: the 1st, 07:30")
	h.Clock.Set(shanghai("2027-01-01", "07:29"))
	sendDue(t, h)
	if got := monthReviews(h, mrMgr); len(got) != 1 {
		t.Fatalf("December's review before 07:30: %q", apptest.Texts(got))
	}
	h.Clock.Set(shanghai("2027-01-01", "07:30"))
	sendDue(t, h)
	if got := monthReviews(h, mrMgr); len(got) != 2 || !strings.HasPrefix(got[1].Text, "🗓 East — Dec 2026: the month's review\nWon:") {
		t.Fatalf("December's review at 07:30: %q", apptest.Texts(got))
	}
	apptest.MustContain(t, h.Send(mrMgr, "/schedule month off"), "• month's review: off")
	h.Clock.Set(shanghai("2027-02-01", "09:30"))
	sendDue(t, h)
	if got := monthReviews(h, mrMgr); len(got) != 2 {
		t.Fatalf("a review with /schedule month off: %q", apptest.Texts(got))
	}
}
