package bot_test

import (
	"bytes"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"salesbot/internal/apptest"
	"salesbot/internal/reports/reportstest"
	"salesbot/internal/storage"
	"salesbot/internal/tgfake"
	"salesbot/models"
)

// shanghai returns the instant of a wall-clock time in Shanghai.
func shanghai(date, hm string) time.Time {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	return clockAt(hm).On(date, loc)
}

// waitUp waits until the bot polls (stopping it during start-up would
// fail the test for the wrong reason).
func waitUp(t *testing.T, h *apptest.Harness) {
	t.Helper()
	if err := h.Fake.WaitPolling(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// restart restarts the bot once it is up, and waits until it is up again.
func restart(t *testing.T, h *apptest.Harness) {
	t.Helper()
	waitUp(t, h)
	h.Restart()
	waitUp(t, h)
}

func sendDue(t *testing.T, h *apptest.Harness) {
	t.Helper()
	waitUp(t, h)
	if err := h.App.Reports.SendDue(t.Context()); err != nil {
		t.Fatalf("send due reports: %v", err)
	}
	h.Flush()
}

// The scenario's day at 18:30 in Shanghai: each manager gets one digest,
// in their own language, with the counts and names worked out by hand in
// reportstest.ThreeReps.
func TestDigestAtTeamTimeInManagersLanguage(t *testing.T) {
	for _, pg := range []bool{false, true} {
		name := "sqlite"
		if pg {
			name = "postgres"
		}
		t.Run(name, func(t *testing.T) {
			var opts []apptest.Option
			if pg {
				opts = append(opts, apptest.Postgres(t))
			}
			h := apptest.New(t, opts...)
			h.Clock.Set(shanghai(reportstest.Day, "18:00"))
			s := reportstest.ThreeReps(t, h.App.DB, h.Clock, "North", "Asia/Shanghai", 0)

			sendDue(t, h) // 18:00: nothing yet
			if n := len(h.Fake.Sent()); n != 0 {
				t.Fatalf("sent before digest time: %+v", h.Fake.Sent())
			}
			h.Clock.Set(shanghai(reportstest.Day, "18:30"))
			sendDue(t, h)

			mia := h.Fake.SentTo(reportstest.MiaTG)
			if len(mia) != 1 {
				t.Fatalf("Mia got %d messages: %q", len(mia), apptest.Texts(mia))
			}
			apptest.MustContain(t, mia,
				"📊 North — daily digest, Tue 24 Nov",
				"Visits: 4 · objections: 1 · active: 2 of 3 (the reps)",
				"Follow-ups: 0 done today (and 2 revisits closed by visiting again), 1 overdue",
				"Week plan so far: 3 of 4 planned visits done (75%)",
				"⚠️ Need a new plan (three visits without progress):\n• Gamma — Bob, demo / trial",
				"• Acme: demo / trial → proposal / quote (Li Wei)",
				"• Beta: contact → needs analysis (Bob)",
				"💤 No activity today: Carol",
				"👤 Bob\nVisits (2):\n• 00:30 Gamma — demo / trial, cold\n• 10:00 Beta — needs analysis, neutral\nFollow-ups: 0 done (+2 closed by a visit), 0 overdue\nPlan: 2/2 done, 1 unplanned",
				"👤 Li Wei\nVisits (2):\n• 09:30 Acme — proposal / quote, warm\n• 14:00 华为 — needs analysis, neutral\nObjections (1):\n• Acme: price — “太贵了” ✅\nFollow-ups: 0 done, 0 overdue\nPlan: 1/2 done, 1 unplanned",
			)
			if strings.Contains(mia[0].Text, "sent late") {
				t.Fatalf("an on-time digest says late:\n%s", mia[0].Text)
			}
			// Totals come before the reps' blocks.
			if strings.Index(mia[0].Text, "Visits: 4") > strings.Index(mia[0].Text, "👤 Bob") {
				t.Fatalf("totals not first:\n%s", mia[0].Text)
			}
			wang := h.Fake.SentTo(reportstest.WangTG)
			if len(wang) != 1 {
				t.Fatalf("王芳 got %d messages", len(wang))
			}
			apptest.MustContain(t, wang, "📊 North — 每日简报,11月24日 周二", "拜访:4 · 异议:1 · 有活动:2/3(销售代表)",
				"• Acme:产品演示/试用 → 建议书/报价(Li Wei)", "💤 今天没有活动:Carol")
			for _, rep := range []int64{reportstest.LiTG, reportstest.BobTG, reportstest.CarolTG} {
				if got := h.Fake.SentTo(rep); len(got) != 0 {
					t.Fatalf("a rep got the managers' digest: %q", apptest.Texts(got))
				}
			}

			// Run again, twice at once, and after a restart: nothing more.
			var wg sync.WaitGroup
			for range 2 {
				wg.Add(1)
				go func() { defer wg.Done(); _ = h.App.Reports.SendDue(t.Context()) }()
			}
			wg.Wait()
			restart(t, h)
			h.Clock.Advance(time.Hour)
			sendDue(t, h)
			// (The restart's dispatcher sends Carol her overdue reminder.)
			if a, b := len(h.Fake.SentTo(reportstest.MiaTG)), len(h.Fake.SentTo(reportstest.WangTG)); a != 1 || b != 1 {
				t.Fatalf("after runs twice and a restart: Mia %d, 王芳 %d messages, want one digest each", a, b)
			}
			sends, err := h.App.DB.ReportSends(t.Context(), models.ReportDigest, reportstest.Day)
			if err != nil || len(sends) != 2 || sends[0].State != storage.ReportSent || sends[0].Late || sends[0].UserID != s.Mia {
				t.Fatalf("records: %+v %v", sends, err)
			}
		})
	}
}

// A manager of two teams in two zones gets each team's digest at that
// team's 18:30.
func TestDigestPerTeamZone(t *testing.T) {
	h := apptest.New(t)
	h.Clock.Set(shanghai(reportstest.Day, "08:00"))
	north := reportstest.ThreeReps(t, h.App.DB, h.Clock, "North", "Asia/Shanghai", 0)
	west := reportstest.ThreeReps(t, h.App.DB, h.Clock, "West", "Europe/Berlin", 1000)
	if err := h.App.DB.AddMember(t.Context(), west.Team.ID, north.Mia, models.RoleManager); err != nil {
		t.Fatal(err)
	}
	miaDigests := func() []string {
		var out []string
		for _, s := range h.Fake.SentTo(reportstest.MiaTG) {
			out = append(out, strings.SplitN(s.Text, "\n", 2)[0])
		}
		return out
	}
	h.Clock.Set(shanghai(reportstest.Day, "18:30")) // 10:30 UTC, 11:30 in Berlin
	sendDue(t, h)
	if got := miaDigests(); len(got) != 1 || got[0] != "📊 North — daily digest, Tue 24 Nov" {
		t.Fatalf("at 18:30 Shanghai Mia has %q", got)
	}
	h.Clock.Set(time.Date(2026, 11, 24, 17, 29, 0, 0, time.UTC)) // 18:29 in Berlin
	sendDue(t, h)
	if got := miaDigests(); len(got) != 1 {
		t.Fatalf("West's digest came early: %q", got)
	}
	h.Clock.Set(time.Date(2026, 11, 24, 17, 30, 0, 0, time.UTC)) // 18:30 in Berlin
	sendDue(t, h)
	if got := miaDigests(); len(got) != 2 || got[1] != "📊 West — daily digest, Tue 24 Nov" {
		t.Fatalf("at 18:30 Berlin Mia has %q", got)
	}
	// West's own managers got theirs once too.
	if n := len(h.Fake.SentTo(reportstest.MiaTG + 1000)); n != 1 {
		t.Fatalf("West's Mia got %d", n)
	}
}

// Down at 18:30, back at 19:10: the digest goes out then, once, marked late.
func TestDigestCaughtUpLate(t *testing.T) {
	h := apptest.New(t)
	h.Clock.Set(shanghai(reportstest.Day, "12:00"))
	reportstest.ThreeReps(t, h.App.DB, h.Clock, "North", "Asia/Shanghai", 0)
	waitUp(t, h)
	h.Stop()
	h.Clock.Set(shanghai(reportstest.Day, "19:10"))
	h.Restart()
	waitUp(t, h)
	sendDue(t, h)
	sendDue(t, h)
	mia := h.Fake.SentTo(reportstest.MiaTG)
	if len(mia) != 1 {
		t.Fatalf("Mia got %d messages", len(mia))
	}
	apptest.MustContain(t, mia, "(sent late: the bot was offline when this was due at Tue 24 Nov 2026 18:30)", "Visits: 4")
	apptest.MustContain(t, h.Fake.SentTo(reportstest.WangTG), "(补发:原定 2026年11月24日 周二 18:30 发送时机器人不在线)")
	sends, _ := h.App.DB.ReportSends(t.Context(), models.ReportDigest, reportstest.Day)
	if len(sends) != 2 || !sends[0].Late {
		t.Fatalf("records %+v", sends)
	}
	// The next day nothing of Tuesday is sent any more; Wednesday's comes
	// at its time.
	h.Clock.Set(shanghai("2026-11-25", "18:29"))
	sendDue(t, h)
	if len(h.Fake.SentTo(reportstest.MiaTG)) != 1 {
		t.Fatal("something sent on Wednesday before 18:30")
	}
}

// Monday 09:00: the weekly summary as text and a chart photo whose caption
// holds the key numbers (counted by hand in reportstest.ThreeReps).
func TestWeeklySummaryWithChart(t *testing.T) {
	h := apptest.New(t)
	h.Clock.Set(shanghai(reportstest.Day, "08:00"))
	reportstest.ThreeReps(t, h.App.DB, h.Clock, "North", "Asia/Shanghai", 0)
	h.Clock.Set(shanghai("2026-11-30", "09:00"))
	sendDue(t, h)
	mia := h.Fake.SentTo(reportstest.MiaTG)
	if len(mia) != 2 || mia[0].Method != "sendMessage" || mia[1].Method != "sendPhoto" {
		t.Fatalf("Mia got %+v", apptest.Texts(mia))
	}
	apptest.MustContain(t, mia[:1],
		"📅 North — weekly summary, week 48 (Mon 23 Nov – Sun 29 Nov)",
		"Plan vs actual: 3 of 4 planned visits done (75%), 1 missed, 3 unplanned",
		"Visits: 6 · objections: 2",
		"• Li Wei: 1/2, 1 missed, 2 unplanned, 3 visits",
		"• Carol: 0/0, 0 missed, 0 unplanned, 0 visits",
		"Visits by stage reached: needs analysis 2 · demo / trial 1 · proposal / quote 2",
		"Client attitude: warm 2 · neutral 3 · cold 1",
		"• price: 1 (1 resolved)\n   ↳ worked: “volume discount”",
		"🗓 Plans for week 49 (Mon 30 Nov – Sun 6 Dec):",
		"👤 Li Wei (1)\n• Mon 30 Nov Acme — contract",
		"No plan yet: Bob, Carol",
	)
	photo := mia[1]
	// The caption's first line is the week's numbers; the next one the
	// month's attainment (targets_test.go checks those).
	if want := "North, week 48: 3/4 planned visits done (75%), 1 missed, 3 unplanned; 6 visits. Objections: busy / no time 1, price 1"; firstLine(photo.Text) != want {
		t.Fatalf("caption %q\nwant %q", photo.Text, want)
	}
	img, err := png.Decode(bytes.NewReader(photo.File))
	if err != nil || img.Bounds().Dx() != 1200 {
		t.Fatalf("chart is not a 1200px PNG: %v", err)
	}
	wang := h.Fake.SentTo(reportstest.WangTG)
	if len(wang) != 2 || !strings.HasPrefix(wang[1].Text, "North 第 48 周:计划拜访完成 3/4(75%)") {
		t.Fatalf("王芳 got %q", apptest.Texts(wang))
	}
	sendDue(t, h)
	if n := len(h.Fake.SentTo(reportstest.MiaTG)); n != 2 {
		t.Fatalf("summary sent again: %d", n)
	}
}

// A manager who blocked the bot is recorded as such and not retried; the
// other manager still gets the digest.
func TestDigestToBlockedManager(t *testing.T) {
	h := apptest.New(t)
	h.Clock.Set(shanghai(reportstest.Day, "12:00"))
	reportstest.ThreeReps(t, h.App.DB, h.Clock, "North", "Asia/Shanghai", 0)
	h.Fake.Block(reportstest.MiaTG)
	h.Clock.Set(shanghai(reportstest.Day, "18:30"))
	sendDue(t, h)
	sendDue(t, h)
	if n := len(h.Fake.Calls("sendMessage")); n != 2 {
		t.Fatalf("%d sendMessage calls, want 1 refused for Mia and 1 for 王芳", n)
	}
	sends, _ := h.App.DB.ReportSends(t.Context(), models.ReportDigest, reportstest.Day)
	if len(sends) != 2 || sends[0].State != storage.ReportBlocked || sends[1].State != storage.ReportSent {
		t.Fatalf("records %+v", sends)
	}
}

// A part that still fails after the outbox's own retries is tried again
// after the queue's back-off, and arrives once; the next run queues
// nothing more.
func TestDigestRetriedAfterFailure(t *testing.T) {
	h := apptest.New(t)
	h.Clock.Set(shanghai(reportstest.Day, "12:00"))
	reportstest.ThreeReps(t, h.App.DB, h.Clock, "North", "Asia/Shanghai", 0)
	h.Clock.Set(shanghai(reportstest.Day, "18:30"))
	// Mia's digest fails all 5 of the outbox's tries; 王芳's, sent at the
	// same time, goes through.
	h.Fake.FailNextNTo("sendMessage", reportstest.MiaTG, 5, tgfake.ServerError())
	waitUp(t, h)
	if err := h.App.Reports.SendDue(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := h.App.Queue.Settle(t.Context()); err != nil {
		t.Fatal(err)
	}
	if a, b := len(h.Fake.SentTo(reportstest.MiaTG)), len(h.Fake.SentTo(reportstest.WangTG)); a != 0 || b != 1 {
		t.Fatalf("Mia %d, 王芳 %d digests before the retry, want 王芳's only", a, b)
	}
	h.Clock.Advance(time.Minute)
	h.App.Queue.Wake()
	sendDue(t, h)
	if a, b := len(h.Fake.SentTo(reportstest.MiaTG)), len(h.Fake.SentTo(reportstest.WangTG)); a != 1 || b != 1 {
		t.Fatalf("Mia %d, 王芳 %d digests", a, b)
	}
}

var (
	miaTG  = tgfake.User{ID: reportstest.MiaTG, FirstName: "Mia", LanguageCode: "en"}
	liTG   = tgfake.User{ID: reportstest.LiTG, FirstName: "Li", LastName: "Wei", LanguageCode: "zh"}
	wangTG = tgfake.User{ID: reportstest.WangTG, FirstName: "王芳", LanguageCode: "zh"}
)

func TestDigestAndWeekOnDemand(t *testing.T) {
	h := apptest.New(t)
	h.Clock.Set(shanghai(reportstest.Day, "16:00"))
	reportstest.ThreeReps(t, h.App.DB, h.Clock, "North", "Asia/Shanghai", 0)

	apptest.MustContain(t, h.Send(miaTG, "/digest"), "📊 North — daily digest, Tue 24 Nov", "Visits: 4 · objections: 1")
	// Monday: Bob's 23:30 visit to Beta and his objection.
	got := h.Send(miaTG, "/digest yesterday")
	// The fixture's memberships begin on Tuesday (its clock), so on Monday
	// only Bob, who logged, counts; nobody is idle before they joined.
	apptest.MustContain(t, got, "daily digest, Mon 23 Nov", "Visits: 1 · objections: 1 · active: 1 of 1 (the reps)",
		"Follow-ups: 0 done that day, 0 overdue at the end of the day",
		"• 23:30 Beta — stage not stated, neutral", "• Beta: busy / no time — “call me next month”")
	// A weekday name looks back: on Tuesday, "mon" is yesterday.
	apptest.MustContain(t, h.Send(miaTG, "/digest mon"), "daily digest, Mon 23 Nov")
	apptest.MustContain(t, h.Send(miaTG, "/digest 2026-11-24"), "daily digest, Tue 24 Nov")
	apptest.MustContain(t, h.Send(miaTG, "/digest North 2026-11-24"), "daily digest, Tue 24 Nov")
	apptest.MustContain(t, h.Send(miaTG, "/digest whenever"), "There is no team “whenever” that you manage, and it is not a day either. Your teams: North. For example: /digest North yesterday")
	apptest.MustContain(t, h.Send(miaTG, "/digest 2026-13-45"), "I can't read “2026-13-45” as a day. Examples: /digest yesterday")
	apptest.MustContain(t, h.Send(wangTG, "/digest"), "📊 North — 每日简报,11月24日 周二")

	// /week DATE: the week containing it; without one, last week. On
	// Tuesday Li's Wednesday visit to Delta is still open (the scenario
	// also holds a visit logged for Wednesday 00:30).
	got = h.Send(miaTG, "/week today")
	if len(got) != 2 || got[1].Method != "sendPhoto" {
		t.Fatalf("/week today: %q", apptest.Texts(got))
	}
	apptest.MustContain(t, got, "weekly summary, week 48", "Visits: 6 · objections: 2",
		"Plan vs actual: 3 of 4 planned visits done (75%), 0 missed, 1 still open, 3 unplanned")
	got = h.Send(miaTG, "/week")
	apptest.MustContain(t, got, "weekly summary, week 47 (Mon 16 Nov – Sun 22 Nov)", "Plan vs actual: nothing was planned",
		"Visits: 1 · objections: 0", "🗓 Plans for week 48 (Mon 23 Nov – Sun 29 Nov):")
	if c := got[len(got)-1]; c.Method != "sendPhoto" || firstLine(c.Text) != "North, week 47: nothing was planned; 1 visit. Objections: none" {
		t.Fatalf("last week's chart caption %q", c.Text)
	}

	apptest.MustContain(t, h.Send(liTG, "/digest"), "/digest 仅限经理使用。")
}

// A team moves or turns off its digest; the scheduler follows.
func TestScheduleSettings(t *testing.T) {
	h := apptest.New(t)
	h.Clock.Set(shanghai(reportstest.Day, "08:00"))
	reportstest.ThreeReps(t, h.App.DB, h.Clock, "North", "Asia/Shanghai", 0)

	apptest.MustContain(t, h.Send(miaTG, "/schedule"), "Reports for North (Asia/Shanghai time):\n• daily digest: 18:30 on Mon Tue Wed Thu Fri\n• weekly summary: Mon 09:00\n• plan deadline reminder: Fri 16:00")
	apptest.MustContain(t, h.Send(miaTG, "/schedule digest 17:00"), "• daily digest: 17:00 on Mon Tue Wed Thu Fri")
	apptest.MustContain(t, h.Send(miaTG, "/schedule days mon-sat"), "• daily digest: 17:00 on Mon Tue Wed Thu Fri Sat")
	apptest.MustContain(t, h.Send(miaTG, "/schedule summary tue 10:00"), "• weekly summary: Tue 10:00")
	apptest.MustContain(t, h.Send(miaTG, "/schedule deadline off"), "• plan deadline reminder: off")
	apptest.MustContain(t, h.Send(wangTG, "/schedule"), "• 每日简报:周一 周二 周三 周四 周五 周六 17:00")
	apptest.MustContain(t, h.Send(miaTG, "/schedule digest soon"), "I can't read “digest soon” as a schedule change. Examples: /schedule digest 18:00")
	apptest.MustContain(t, h.Send(wangTG, "/schedule digest 25:00"), "无法把“digest 25:00”识别为日程设置。例如:/schedule digest 18:00")
	apptest.MustContain(t, h.Send(liTG, "/schedule digest off"), "/schedule 仅限经理使用。")

	h.Clock.Set(shanghai(reportstest.Day, "16:59"))
	sendDue(t, h)
	// Six answers to /schedule, then the summary moved to Tuesday 10:00
	// (text and chart); no digest yet.
	if mia := h.Fake.SentTo(reportstest.MiaTG); len(mia) != 8 || !strings.HasPrefix(mia[6].Text, "📅 North — weekly summary, week 47") || mia[7].Method != "sendPhoto" {
		t.Fatalf("Mia before 17:00: %q", apptest.Texts(mia))
	}
	h.Clock.Set(shanghai(reportstest.Day, "17:00"))
	sendDue(t, h)
	mia := h.Fake.SentTo(reportstest.MiaTG)
	if len(mia) != 9 || !strings.HasPrefix(mia[8].Text, "📊 North — daily digest, Tue 24 Nov") {
		t.Fatalf("no digest at 17:00: %q", apptest.Texts(mia[7:]))
	}
	// Off: Wednesday passes without a digest.
	h.Send(miaTG, "/schedule digest off")
	h.Clock.Set(shanghai("2026-11-25", "23:00"))
	sendDue(t, h)
	if n := len(h.Fake.SentTo(reportstest.MiaTG)); n != 10 {
		t.Fatalf("Mia has %d messages; the digest was off", n)
	}
}

// clockAt reads "HH:MM" in a test's data.
func clockAt(hm string) models.ClockTime {
	c, ok := models.ParseClockTime(hm)
	if !ok {
		panic("bad time " + hm)
	}
	return c
}

// firstLine is a text up to its first line break.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
