package bot_test

import (
	"strings"
	"testing"
	"time"

	"salesbot/internal/apptest"
	"salesbot/internal/storage"
	"salesbot/internal/tgfake"
	"salesbot/models"
)

func plannedOf(t *testing.T, h *apptest.Harness, weeks ...string) []models.PlannedVisit {
	t.Helper()
	team := clientTeam(t, h)
	var ws []models.Week
	for _, w := range weeks {
		ws = append(ws, models.Week{Monday: w})
	}
	pvs, err := h.App.DB.PlannedVisitsOf(t.Context(), storage.System, team, 0, ws...)
	if err != nil {
		t.Fatal(err)
	}
	return pvs
}

// One planned visit can be moved to another day of its week, or removed
// (after asking), from /plan's list (issue 11, item 9).
func TestPlannedVisitMovedAndRemoved(t *testing.T) { testPlannedVisitMovedAndRemoved(t, salesTeam(t)) }

func testPlannedVisitMovedAndRemoved(t *testing.T, h *apptest.Harness) {
	h.Clock.Set(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)) // Wednesday of week 48
	apptest.MustContain(t, h.Send(ann, "/plan next mon Acme demo; wed Beta quote"), "Added to your plan for week 49")
	apptest.MustContain(t, h.Send(ann, "/plan this thu Acme call"), "Added to your plan for week 48")

	got := h.Send(ann, "/plan")
	apptest.MustContain(t, got, "Tap a planned visit to move or remove it.")
	got = h.Tap(ann, got, "Mon 30 Nov Acme")
	apptest.MustContain(t, got, "⏳ Mon 30 Nov Acme — demo", "Move it to another day, or remove it from your plan?")
	for _, d := range []string{"Tue 1 Dec", "Sun 6 Dec", "Remove"} {
		apptest.Button(t, got, d)
	}
	got = h.Tap(ann, got, "Thu 3 Dec")
	apptest.MustContain(t, got, "🗓 Moved: Acme from Mon 30 Nov to Thu 3 Dec.")
	apptest.MustContain(t, h.Send(ann, "/plan"), "⏳ Thu 3 Dec Acme — demo")

	// This week's item moves only to today or later.
	got = h.Tap(ann, h.Send(ann, "/plan"), "Thu 26 Nov Acme")
	apptest.MustContain(t, got, "⏳ Thu 26 Nov Acme — call")
	apptest.Button(t, got, "Wed 25 Nov")
	if j := describeButtons(got); strings.Contains(j, "Tue 24 Nov") || strings.Contains(j, "Mon 23 Nov") {
		t.Fatalf("a past day is offered: %s", j)
	}
	_, data := apptest.Button(t, got, "Wed 25 Nov")
	forged := strings.Replace(data, "2026-11-25", "2026-11-23", 1)
	apptest.MustContain(t, h.Press(ann, got[len(got)-1].MessageID, forged), "This button no longer works.")
	forged = strings.Replace(data, "2026-11-25", "2026-12-02", 1) // another week
	apptest.MustContain(t, h.Press(ann, got[len(got)-1].MessageID, forged), "This button no longer works.")

	// Remove asks first; Keep keeps it.
	got = h.Tap(ann, h.Tap(ann, h.Send(ann, "/plan"), "Wed 2 Dec Beta"), "Remove")
	apptest.MustContain(t, got, "Remove Beta on Wed 2 Dec from your plan?")
	apptest.MustContain(t, h.Tap(ann, got, "Keep"), "Beta stays planned on Wed 2 Dec.")
	if n := len(plannedOf(t, h, "2026-11-30")); n != 2 {
		t.Fatalf("%d planned after Keep", n)
	}
	confirm := h.Tap(ann, h.Tap(ann, h.Send(ann, "/plan"), "Wed 2 Dec Beta"), "Remove")
	apptest.MustContain(t, h.Tap(ann, confirm, "Yes, remove"), "🗑 Removed from your plan: Beta on Wed 2 Dec.")
	if got := apptest.Joined(h.Send(ann, "/plan")); strings.Contains(got, "Wed 2 Dec Beta") {
		t.Fatalf("Beta still planned:\n%s", got)
	}
	apptest.MustContain(t, h.Tap(ann, confirm, "Yes, remove"), "That planned visit is gone")

	// Someone else's planned visit is no way in.
	pvs := plannedOf(t, h, "2026-11-30")
	apptest.MustContain(t, h.Press(bob, 1, "pl:R:"+itoa(pvs[0].ID)), "That planned visit is gone")
	if len(plannedOf(t, h, "2026-11-30")) != 1 {
		t.Fatal("Bob removed Ann's planned visit")
	}
}

// The same plan item twice (client and day the rep planned already) asks
// "plan it again?"; nothing is stored before the answer (issue 11, item 9).
func TestPlanItemTwiceAsks(t *testing.T) { testPlanItemTwiceAsks(t, salesTeam(t)) }

func testPlanItemTwiceAsks(t *testing.T, h *apptest.Harness) {
	h.Clock.Set(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	apptest.MustContain(t, h.Send(ann, "/plan next mon Acme demo"), "Added to your plan")
	got := h.Send(ann, "/plan next mon Acme quote")
	apptest.MustContain(t, got, "Already in your plan:\n• Mon 30 Nov Acme\nPlan it again?")
	apptest.Button(t, got, "Yes, plan again")
	if n := len(plannedOf(t, h, "2026-11-30")); n != 1 {
		t.Fatalf("%d planned before the answer", n)
	}
	apptest.MustContain(t, h.Tap(ann, got, "No"), "not planned again; nothing was saved")
	if n := len(plannedOf(t, h, "2026-11-30")); n != 1 {
		t.Fatalf("%d planned after No", n)
	}
	got = h.Tap(ann, h.Send(ann, "/plan next mon Acme quote"), "Yes, plan again")
	apptest.MustContain(t, got, "Added to your plan for week 49:\n⏳ Mon 30 Nov Acme — quote")
	if n := len(plannedOf(t, h, "2026-11-30")); n != 2 {
		t.Fatalf("%d planned after Yes", n)
	}

	// With other items: No saves the others only.
	got = h.Send(ann, "/plan next mon Acme demo; tue Acme call")
	apptest.MustContain(t, got, "Plan it again? (The other 1 item is saved either way.)")
	got = h.Tap(ann, got, "No")
	apptest.MustContain(t, got, "⏳ Tue 1 Dec Acme — call")
	if strings.Contains(apptest.Joined(got), "Mon 30 Nov Acme — demo") {
		t.Fatal("the duplicate was saved")
	}
	// Twice in one message, and through the form.
	apptest.MustContain(t, h.Send(ann, "/plan next fri Globex demo; fri Globex demo"), "• Fri 4 Dec Globex", "Plan it again?")
	apptest.MustContain(t, h.Tap(ann, h.Send(ann, "/cancel"), "Discard"), "⏳ Fri 4 Dec Globex — demo")
	got = h.Send(ann, "/plan next")
	got = h.Send(ann, "Acme")
	got = h.Tap(ann, got, "Tue 1 Dec")
	got = h.Send(ann, "call")
	apptest.MustContain(t, got, "• Tue 1 Dec Acme", "Plan it again?")
	apptest.MustContain(t, h.Tap(ann, got, "Yes, plan again"), "⏳ Tue 1 Dec Acme — call")
	// Another rep's plan of the same client and day is not asked about.
	if _, err := h.App.DB.ClientByName(t.Context(), storage.System, clientTeam(t, h), "Globex"); models.ErrorCode(err) != models.ENOTFOUND {
		t.Fatalf("Globex stored by a cancelled question: %v", err)
	}
}

func TestPlanChangeChinese(t *testing.T) { testPlanChangeChinese(t, salesTeam(t)) }

func testPlanChangeChinese(t *testing.T, h *apptest.Harness) {
	h.Clock.Set(time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC))
	apptest.MustContain(t, h.Send(wei, "/plan next 周一 华为 报价"), "华为")
	got := h.Send(wei, "/plan next 周一 华为 演示")
	apptest.MustContain(t, got, "计划里已经有:", "华为", "还要再计划一次吗?")
	apptest.MustContain(t, h.Tap(wei, got, "不用"), "不再重复计划,没有保存任何内容")
	got = h.Send(wei, "/plan")
	apptest.MustContain(t, got, "点一项计划可以改期或删除。")
	got = h.Tap(wei, got, "华为")
	apptest.MustContain(t, got, "改到另一天,还是从计划中删除?")
	got = h.Tap(wei, h.Tap(wei, got, "删除"), "确定删除")
	apptest.MustContain(t, got, "已从计划中删除")
}

func describeButtons(sent []tgfake.Sent) string {
	var sb strings.Builder
	for _, s := range sent {
		for _, row := range s.Buttons {
			for _, b := range row {
				sb.WriteString("[" + b.Text + "]")
			}
		}
	}
	return sb.String()
}
