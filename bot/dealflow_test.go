package bot_test

import (
	"testing"
	"time"

	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
	"salesbot/models"
)

var (
	flowRep   = tgfake.User{ID: 931, FirstName: "Rita", LanguageCode: "en"}
	flowRepZh = tgfake.User{ID: 932, FirstName: "张伟", LanguageCode: "zh"}
	flowMgr   = tgfake.User{ID: 933, FirstName: "Mia", LanguageCode: "en"}
)

// dealsOf reads a user's deals of one client (open and closed), by id.
func dealsOf(t *testing.T, h *apptest.Harness, u tgfake.User, client string) []*models.Deal {
	t.Helper()
	ctx := t.Context()
	usr, err := h.App.DB.UserByTelegramID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	c, err := h.App.DB.ClientByName(ctx, usr, usr.PrimaryTeam(), client)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := h.App.DB.ClientDeals(ctx, usr, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func dealStage(t *testing.T, h *apptest.Harness, u tgfake.User, client, title string) models.Stage {
	t.Helper()
	for _, d := range dealsOf(t, h, u, client) {
		if d.Title == title {
			return d.Stage
		}
	}
	t.Fatalf("no deal %q of %s", title, client)
	return ""
}

// A visit to a client with one open deal advances that deal; with several
// the bot asks which (or none) with buttons; undo and edit put the deal's
// stage back exactly, and say so. In English and Chinese.
func TestVisitAdvancesDeal(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { visitAdvancesDeal(t, apptest.New(t)) })
	t.Run("postgres", func(t *testing.T) { visitAdvancesDeal(t, apptest.New(t, apptest.Postgres(t))) })
}

func visitAdvancesDeal(t *testing.T, h *apptest.Harness) {
	h.Clock.Set(time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC))
	h.Member(flowRep, "North", "rep")
	h.Member(flowRepZh, "North", "rep")

	// No deal yet: nothing about deals.
	got := h.Send(flowRep, "/visit Acme; phone; needs analysis")
	if j := apptest.Joined(got); containsAny(j, "Deal", "deal") {
		t.Fatalf("a visit without deals mentions one: %q", j)
	}
	apptest.MustContain(t, h.Send(flowRep, "/deal Acme; 20 trucks; 3.2M CNY"), "New deal for Acme: 20 trucks")

	// One open deal: linked without asking, its stage advanced.
	got = h.Send(flowRep, "/visit Acme; demo; warm")
	apptest.MustContain(t, got, "Stage: needs analysis → demo / trial", "💼 Deal “20 trucks” advanced to demo / trial")
	if s := dealStage(t, h, flowRep, "Acme", "20 trucks"); s != models.StageDemo {
		t.Fatalf("deal stage %q, want demo", s)
	}

	// Several open deals: buttons, and "No deal".
	apptest.MustContain(t, h.Send(flowRep, "/deal Acme; service contract; 50k"), "service contract")
	got = h.Send(flowRep, "/visit Acme; proposal")
	apptest.MustContain(t, got, "Acme has several open deals. Which one was this visit for?")
	apptest.Button(t, got, "20 trucks · demo / trial")
	apptest.Button(t, got, "No deal")
	got = h.Tap(flowRep, got, "service contract")
	apptest.MustContain(t, got, "Visit saved", "💼 Deal “service contract” advanced to proposal / quote")
	if s := dealStage(t, h, flowRep, "Acme", "service contract"); s != models.StageProposal {
		t.Fatalf("service contract at %q, want proposal", s)
	}
	if s := dealStage(t, h, flowRep, "Acme", "20 trucks"); s != models.StageDemo {
		t.Fatalf("20 trucks at %q, want demo (the other deal was chosen)", s)
	}

	// Undo says what goes back, and puts it back exactly.
	got = h.Send(flowRep, "/undo")
	apptest.MustContain(t, got, "• The deal “service contract” will have no stage again (it was proposal / quote).")
	got = h.Tap(flowRep, got, "Undo it")
	apptest.MustContain(t, got, "• The deal “service contract” has no stage again (it was proposal / quote).")
	if s := dealStage(t, h, flowRep, "Acme", "service contract"); s != models.StageNone {
		t.Fatalf("service contract at %q after undo, want none", s)
	}

	// A visit that states "No deal" leaves both alone.
	got = h.Send(flowRep, "/visit Acme; negotiation")
	got = h.Tap(flowRep, got, "No deal")
	if j := apptest.Joined(got); containsAny(j, "💼") {
		t.Fatalf("a visit for no deal mentions one: %q", j)
	}
	h.Tap(flowRep, h.Send(flowRep, "/undo"), "Undo it")

	// Edit: the stage of a linked visit changes; the deal goes back to
	// where it was and then forward to the new stage. Edit the deal to
	// none: the deal is back where the visit found it.
	got = h.Send(flowRep, "/visit Acme; negotiation")
	got = h.Tap(flowRep, got, "20 trucks · demo / trial")
	apptest.MustContain(t, got, "💼 Deal “20 trucks” advanced: demo / trial → negotiation")
	edit := h.Tap(flowRep, got, "✏️ Edit")
	got = h.Tap(flowRep, h.Tap(flowRep, edit, "Stage"), "proposal / quote")
	apptest.MustContain(t, got, "💼 Deal “20 trucks” advanced: demo / trial → proposal / quote")
	if s := dealStage(t, h, flowRep, "Acme", "20 trucks"); s != models.StageProposal {
		t.Fatalf("20 trucks at %q after the edit, want proposal", s)
	}
	edit = h.Tap(flowRep, got, "✏️ Edit")
	got = h.Tap(flowRep, edit, "Deal")
	apptest.MustContain(t, got, "Which one was this visit for?")
	apptest.Button(t, got, "✓ 20 trucks · proposal / quote")
	got = h.Tap(flowRep, got, "No deal")
	if s := dealStage(t, h, flowRep, "Acme", "20 trucks"); s != models.StageDemo {
		t.Fatalf("20 trucks at %q after unlinking the visit, want demo again", s)
	}
	// A later visit's change wins: undoing the earlier one leaves the deal.
	got = h.Send(flowRep, "/visit Acme; negotiation")
	first := h.Tap(flowRep, got, "20 trucks · demo / trial")
	h.Clock.Advance(time.Minute)
	got = h.Send(flowRep, "/visit Acme; contract; visited with the boss")
	apptest.MustContain(t, h.Tap(flowRep, got, "20 trucks · negotiation"), "💼 Deal “20 trucks” advanced: negotiation → contract")
	undo := h.Tap(flowRep, first, "↩️ Undo")
	apptest.MustContain(t, undo, "• The visit comes off the deal “20 trucks”; its stage stays.")
	h.Tap(flowRep, undo, "Undo it")
	if s := dealStage(t, h, flowRep, "Acme", "20 trucks"); s != models.StageContract {
		t.Fatalf("20 trucks at %q, want contract (the later visit's)", s)
	}

	// Chinese, through the form: the only deal is linked.
	h.Send(flowRepZh, "/visit 华为; 面谈")
	apptest.MustContain(t, h.Send(flowRepZh, "/deal 华为; 20台; 320万"), "华为 的新项目")
	got = h.Send(flowRepZh, "/visit 华为; 产品演示")
	apptest.MustContain(t, got, "💼 项目“20台”推进到 产品演示/试用")
	apptest.MustContain(t, h.Send(flowRepZh, "/deal 华为; 售后服务合同"), "售后服务合同")
	got = h.Send(flowRepZh, "/visit 华为; 报价")
	apptest.MustContain(t, got, "华为 有多个进行中的项目。这次拜访是为哪一个?")
	got = h.Tap(flowRepZh, got, "20台 · 产品演示/试用")
	apptest.MustContain(t, got, "💼 项目“20台”推进:产品演示/试用 → 建议书/报价")
	got = h.Send(flowRepZh, "/undo")
	apptest.MustContain(t, got, "• 项目“20台”将从 建议书/报价 退回 产品演示/试用。")
	apptest.MustContain(t, h.Tap(flowRepZh, got, "撤销"), "• 项目“20台”已退回 产品演示/试用(原为 建议书/报价)。")
	if s := dealStage(t, h, flowRepZh, "华为", "20台"); s != models.StageDemo {
		t.Fatalf("20台 at %q after undo, want demo", s)
	}
}
