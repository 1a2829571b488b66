package bot_test

import (
	"strings"
	"testing"

	"salesbot/internal/apptest"
	"salesbot/internal/reports/reportstest"
	"salesbot/internal/storage"
	"salesbot/internal/tgfake"
	"salesbot/models"
)

var bobTG = tgfake.User{ID: reportstest.BobTG, FirstName: "Bob", LanguageCode: "en"}

func TestPlanQuickFormUndoAndStatus(t *testing.T) {
	h := apptest.New(t)
	h.Clock.Set(shanghai(reportstest.Day, "16:00"))
	reportstest.ThreeReps(t, h.App.DB, h.Clock, "North", "Asia/Shanghai", 0)

	got := h.Send(bobTG, "/plan")
	apptest.MustContain(t, got,
		"🗓 This week: week 48 (Mon 23 Nov – Sun 29 Nov)\n✅ Mon 23 Nov Gamma — trial (visited Tue 24 Nov)\n✅ Tue 24 Nov Beta — needs (visited Tue 24 Nov)\n2 of 2 done, 1 unplanned visit",
		"🗓 Next week: week 49 (Mon 30 Nov – Sun 6 Dec)\nNothing planned.")

	// Li's clients are not Bob's to plan: he is told whose they are.
	apptest.MustContain(t, h.Send(bobTG, "/plan next mon Acme demo; fri Zeta contract"), "Acme is a client of Li Wei, and not shared with you.")
	got = h.Send(bobTG, "/plan next mon Gamma demo; wed Beta 报价; fri Zeta contract")
	if len(got) != 1 {
		t.Fatalf("got %q", apptest.Texts(got))
	}
	if want := "Added to your plan for week 49:\n⏳ Mon 30 Nov Gamma — demo\n⏳ Wed 2 Dec Beta — 报价\n⏳ Fri 4 Dec Zeta — contract\nNew client card: Zeta"; got[0].Text != want {
		t.Fatalf("confirmation %q", got[0].Text)
	}
	if b := got[0].Buttons; len(b) != 1 || b[0][0].Text != "➕ Add another" || b[0][1].Text != "↩️ Undo" {
		t.Fatalf("buttons %+v", b)
	}
	rows, err := h.App.DB.PlannedVisitsOf(t.Context(), storage.System, 1, 2, models.Week{Monday: "2026-11-30"})
	if err != nil || len(rows) != 3 || rows[2].Day != "2026-12-04" || rows[2].Purpose != "contract" {
		t.Fatalf("stored %+v %v", rows, err)
	}
	undo := got[0].Buttons[0][1].Data
	apptest.MustContain(t, h.Press(bobTG, got[0].MessageID, undo), "Removed 3 planned visit(s).")
	apptest.MustContain(t, h.Press(bobTG, got[0].MessageID, undo), "Those planned visits are gone already.")
	if n, _ := h.App.DB.PlannedVisitsOf(t.Context(), storage.System, 1, 2, models.Week{Monday: "2026-11-30"}); len(n) != 0 {
		t.Fatalf("left %+v", n)
	}

	// The form: client buttons, day buttons Mon–Sun, purpose.
	got = h.Send(bobTG, "/plan next")
	if len(got) != 1 || !strings.HasPrefix(got[0].Text, "Plan a visit for week 49: which client?") {
		t.Fatalf("form start %q", apptest.Texts(got))
	}
	// Recent clients are the ones Bob visited last.
	if b := got[0].Buttons; len(b) < 2 || b[0][0].Text != "Beta" || b[0][1].Text != "Gamma" {
		t.Fatalf("client buttons %+v", b)
	}
	var beta tgfake.Button
	for _, row := range got[0].Buttons {
		for _, b := range row {
			if b.Text == "Beta" {
				beta = b
			}
		}
	}
	got = h.Press(bobTG, got[0].MessageID, beta.Data)
	day := got[len(got)-1]
	if day.Text != "Which day?" || len(day.Buttons) != 3 || len(day.Buttons[0]) != 4 || day.Buttons[0][0].Text != "Mon 30 Nov" || day.Buttons[1][2].Text != "Sun 6 Dec" {
		t.Fatalf("day question %q %+v", day.Text, day.Buttons)
	}
	got = h.Press(bobTG, day.MessageID, day.Buttons[0][2].Data) // Wed 2 Dec
	apptest.MustContain(t, got, "Purpose of the visit")
	apptest.MustContain(t, h.Send(bobTG, "quote"), "Added to your plan for week 49:\n⏳ Wed 2 Dec Beta — quote")
	apptest.MustContain(t, h.Send(bobTG, "/plan"), "🗓 Next week: week 49 (Mon 30 Nov – Sun 6 Dec)\n⏳ Wed 2 Dec Beta — quote")

	// Li, in Chinese: her Wednesday Delta visit is still to come; her
	// unplanned visits are counted.
	apptest.MustContain(t, h.Send(liTG, "/plan"), "🗓 本周:第 48 周(11月23日 周一 – 11月29日 周日)\n✅ 11月23日 周一 Acme — demo(已于11月24日 周二拜访)\n⏳ 11月25日 周三 Delta — intro\n完成 1/2,计划外拜访 2 次")
	apptest.MustContain(t, h.Send(liTG, "/plan next 周五 华为 签合同"), "已加入第 49 周计划:\n⏳ 12月4日 周五 华为 — 签合同")

	apptest.MustContain(t, h.Send(bobTG, "/plan next Acme demo"), "I couldn't read plan item 1, “Acme demo”: it must start with a weekday")
	apptest.MustContain(t, h.Send(bobTG, "/me"), "👤 Bob — week 48 (Mon 23 Nov – Sun 29 Nov)\nVisits (3):\n• Mon 23 Nov 23:30 Beta — stage not stated, neutral")
}

// Friday 16:00: reps with nothing planned for next week get one plan
// follow-up, delivered by the follow-ups dispatcher with its buttons; Li,
// who has a plan, gets none.
func TestPlanDeadlineReminder(t *testing.T) {
	h := apptest.New(t)
	h.Clock.Set(shanghai(reportstest.Day, "16:00"))
	reportstest.ThreeReps(t, h.App.DB, h.Clock, "North", "Asia/Shanghai", 0)
	h.Clock.Set(shanghai("2026-11-27", "15:59"))
	sendDue(t, h)
	h.Tick()
	if n := len(h.Fake.SentTo(reportstest.BobTG)); n != 0 {
		t.Fatalf("reminded before the deadline: %d", n)
	}
	h.Clock.Set(shanghai("2026-11-27", "16:00"))
	sendDue(t, h)
	sendDue(t, h)
	h.Tick()
	h.Tick()
	bob := h.Fake.SentTo(reportstest.BobTG)
	if len(bob) != 1 || bob[0].Text != "🔔 Your plan for next week (Mon 30 Nov – Sun 6 Dec) is still empty, and it is due Fri 27 Nov 2026 16:00. Add the visits you plan, e.g. /plan next mon Acme demo; wed Beta quote — or send /plan next for buttons." {
		t.Fatalf("Bob got %q", apptest.Texts(bob))
	}
	if len(bob[0].Buttons) == 0 || !strings.HasPrefix(bob[0].Buttons[0][0].Data, "fu:d:") {
		t.Fatalf("the reminder has no follow-up buttons: %+v", bob[0].Buttons)
	}
	// Carol also has her overdue reminder from Monday.
	var carolPlan int
	for _, m := range h.Fake.SentTo(reportstest.CarolTG) {
		if strings.Contains(m.Text, "Your plan for next week") {
			carolPlan++
		}
	}
	if carolPlan != 1 {
		t.Fatalf("Carol got %d plan reminders", carolPlan)
	}
	if n := len(h.Fake.SentTo(reportstest.LiTG)); n != 0 {
		t.Fatalf("Li, who has a plan, got %q", apptest.Texts(h.Fake.SentTo(reportstest.LiTG)))
	}
	// A restart and more runs change nothing.
	restart(t, h)
	sendDue(t, h)
	h.Tick()
	if n := len(h.Fake.SentTo(reportstest.BobTG)); n != 1 {
		t.Fatalf("Bob has %d messages after a restart", n)
	}
}
