package bot_test

import (
	"bytes"
	"image/png"
	"testing"
	"time"

	"salesbot/internal/apptest"
	"salesbot/internal/storage"
	"salesbot/internal/tgfake"
	"salesbot/models"
)

var (
	plRep   = tgfake.User{ID: 1901, FirstName: "Rita", LanguageCode: "en"}
	plRepZh = tgfake.User{ID: 1902, FirstName: "张伟", LanguageCode: "zh"}
	plMgr   = tgfake.User{ID: 1903, FirstName: "Mia", LanguageCode: "en"}
	plMgrZh = tgfake.User{ID: 1904, FirstName: "王芳", LanguageCode: "zh"}
)

// setTarget sets a rep's target for a month through storage (as a
// manager's /target does).
func setTarget(t *testing.T, h *apptest.Harness, team string, u tgfake.User, month models.Month, metric models.TargetMetric, amount int64, currency string) {
	t.Helper()
	tm, err := h.App.DB.TeamByName(t.Context(), team)
	if err != nil {
		t.Fatal(err)
	}
	usr, err := h.App.DB.UserByTelegramID(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.App.DB.SetTarget(t.Context(), storage.System, models.Target{TeamID: tm.ID, Scope: models.ScopeRep, UserID: usr.ID,
		Month: month, Metric: metric, Amount: amount, Currency: currency}); err != nil {
		t.Fatal(err)
	}
}

// The pipeline of a team with four open deals and a win, weighted by the
// team's probabilities (demo set to 50 %), and the December forecast
// against the reps' targets — every number worked out by hand:
//
//	Rita  Acme   20 u  1,000,000 CNY  close 2026-12  demo 50 %         → 10 u   500,000
//	      Beta   10 u    500,000 CNY  close 2027-01  proposal 60 %     →  6 u   300,000
//	      Gamma   5 u    250,000 CNY  won in December                  →  5 u   250,000 (won)
//	张伟  华为   30 u  3,000,000 CNY  close 2026-12  negotiation 75 %  → 22.5 u 2,250,000
//	      小米   10 u  1,000,000 CNY  no close month, no stage: contact 10 % → 1 u 100,000
//
// Open: 4 deals, 70 units, 5,500,000 CNY; weighted 39.5 units, 3,150,000
// CNY. December: Rita won 5 + weighted 10 = 15 of 42 (27 short), value
// 250,000 + 500,000 = 750,000 of 2,000,000 (1,250,000 short); 张伟 0 +
// 22.5 = 22.5 of 30 (7.5 short); the team 37.5 of 72 (34.5 short), value
// 3,000,000 of 2,000,000 (1,000,000 ahead).
func TestPipelineForecastAgainstTarget(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { pipelineForecast(t, apptest.New(t)) })
	t.Run("postgres", func(t *testing.T) { pipelineForecast(t, apptest.New(t, apptest.Postgres(t))) })
}

func pipelineForecast(t *testing.T, h *apptest.Harness) {
	h.Clock.Set(time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC))
	h.Member(plRep, "North", "rep")
	h.Member(plRepZh, "North", "rep")
	h.Member(plMgr, "North", "manager")
	h.Member(plMgrZh, "North", "manager")
	for _, c := range []string{"Acme", "Beta", "Gamma"} {
		apptest.MustContain(t, h.Send(plRep, "/visit "+c+"; phone"), c)
	}
	for _, c := range []string{"华为", "小米"} {
		apptest.MustContain(t, h.Send(plRepZh, "/visit "+c+"; 面谈"), c)
	}
	apptest.MustContain(t, h.Send(plRep, "/deal Acme; 20 units; 1M CNY; close 2026-12; demo"), "New deal for Acme")
	apptest.MustContain(t, h.Send(plRep, "/deal Beta; 10 units; 500k CNY; close 2027-01; proposal"), "New deal for Beta")
	apptest.MustContain(t, h.Send(plRep, "/deal Gamma; 5 units; 250k CNY; close 2026-12; negotiation"), "New deal for Gamma")
	apptest.MustContain(t, h.Send(plRep, "/deal won Gamma"), "🏆 Won: Gamma")
	apptest.MustContain(t, h.Send(plRepZh, "/deal 华为; 30台; 3M CNY; 12月签; 谈判"), "华为")
	apptest.MustContain(t, h.Send(plRepZh, "/deal 小米; 10台; 1M CNY"), "小米")
	dec := models.Month{Year: 2026, Mon: time.December}
	setTarget(t, h, "North", plRep, dec, models.MetricUnits, 42, "")
	setTarget(t, h, "North", plRep, dec, models.MetricValue, 2_000_000_00, "CNY")
	setTarget(t, h, "North", plRepZh, dec, models.MetricUnits, 30, "")

	apptest.MustContain(t, h.Send(plMgr, "/settings probability demo 50"), "demo / trial 50%")
	apptest.MustContain(t, h.Send(plRep, "/settings probability demo 50"), "only")

	got := h.Send(plMgr, "/pipeline")
	apptest.MustContain(t, got,
		"📈 Pipeline of North — Dec 2026",
		"Open deals: 4 deals · 70 units · 5,500,000 CNY\nWeighted by stage: 39.5 units · 3,150,000 CNY",
		"By stage (chance of winning):\n• contact (10%): 1 deal · 10 units · 1,000,000 CNY → 1 unit · 100,000 CNY\n"+
			"• demo / trial (50%): 1 deal · 20 units · 1,000,000 CNY → 10 units · 500,000 CNY\n"+
			"• proposal / quote (60%): 1 deal · 10 units · 500,000 CNY → 6 units · 300,000 CNY\n"+
			"• negotiation (75%): 1 deal · 30 units · 3,000,000 CNY → 22.5 units · 2,250,000 CNY",
		"By rep (weighted):\n• Rita: 2 deals · 30 units · 1,500,000 CNY → 16 units · 800,000 CNY\n• 张伟: 2 deals · 40 units · 4,000,000 CNY → 23.5 units · 2,350,000 CNY",
		"Forecast for Dec 2026 (won + open deals expected to close then, weighted):\n"+
			"• Rita: 15 units of 42 units (won 5 + weighted 10) — 27 units short; value 750,000 CNY of 2,000,000 CNY — 1,250,000 CNY short\n"+
			"• 张伟: 22.5 units of 30 units (won 0 + weighted 22.5) — 7.5 units short; value 2,250,000 CNY\n"+
			"Team: 37.5 units of 72 units (won 5 + weighted 32.5) — 34.5 units short; value 3,000,000 CNY of 2,000,000 CNY — 1,000,000 CNY ahead",
	)
	photo := got[len(got)-1]
	if photo.Method != "sendPhoto" {
		t.Fatalf("no chart after the pipeline: %+v", got)
	}
	if _, err := png.Decode(bytes.NewReader(photo.File)); err != nil {
		t.Fatalf("chart is not a PNG: %v", err)
	}
	apptest.MustContain(t, []tgfake.Sent{photo}, "North, Dec 2026: 4 open deals, 70 units, weighted 39.5 units · 3,150,000 CNY. Forecast: 37.5 units of 72 units",
		"Rita 15/42 · 张伟 22.5/30")

	// In Chinese, the same numbers.
	apptest.MustContain(t, h.Send(plMgrZh, "/pipeline 12月"),
		"📈 North 销售漏斗 —— 2026年12月",
		"在跟项目:4 个项目 · 70 台 · 5,500,000 CNY\n按阶段加权:39.5 台 · 3,150,000 CNY",
		"• 谈判(75%):1 个项目 · 30 台 · 3,000,000 CNY → 22.5 台 · 2,250,000 CNY",
		"• 张伟:22.5 台 / 目标 30 台(已赢 0 + 加权 22.5)—— 差 7.5 台;金额 2,250,000 CNY",
		"团队:37.5 台 / 目标 72 台(已赢 5 + 加权 32.5)—— 差 34.5 台;金额 3,000,000 CNY / 目标 2,000,000 CNY —— 超出 1,000,000 CNY")

	// A rep sees their own pipeline only.
	own := h.Send(plRep, "/pipeline")
	apptest.MustContain(t, own, "📈 Your pipeline in North — Dec 2026",
		"Open deals: 2 deals · 30 units · 1,500,000 CNY\nWeighted by stage: 16 units · 800,000 CNY",
		"You: 15 units of 42 units (won 5 + weighted 10) — 27 units short; value 750,000 CNY of 2,000,000 CNY — 1,250,000 CNY short")
	for _, s := range own {
		if containsAny(s.Text, "张伟", "华为", "Team:") {
			t.Fatalf("a rep's pipeline shows the team's: %q", s.Text)
		}
	}

	// January: Beta is expected then; nothing won yet, no targets.
	apptest.MustContain(t, h.Send(plMgr, "/pipeline 2027-01"), "Forecast for Jan 2027",
		"• Rita: 6 units (won 0 + weighted 6); value 300,000 CNY")
	// Bad input: an example.
	apptest.MustContain(t, h.Send(plMgr, "/pipeline 2027-13"), "I couldn't read “2027-13” as a month. Examples: /pipeline · /pipeline 2027-03")
	apptest.MustContain(t, h.Send(plMgr, "/pipeline someday"), "There is no team “someday” of yours, and it is not a month either. Your teams: North. For example: /pipeline North 2026-11")
	apptest.MustContain(t, h.Send(plMgrZh, "/pipeline 13月"), "无法把“13月”识别为月份")
	apptest.MustContain(t, h.Send(plMgr, "/settings probability demo 140"), "is not a valid value for probability. Example: /settings probability demo 40")
	apptest.MustContain(t, h.Send(plMgr, "/settings probability lost 10"), "Example: /settings probability demo 40")
}
