package bot_test

import (
	"fmt"
	"testing"
	"time"

	"salesbot/internal/apptest"
	"salesbot/internal/storage"
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

	// The visit form asks the same when it is saved.
	h.Send(flowRep, "/visit")
	got = h.Tap(flowRep, h.Send(flowRep, "Acme"), "✓ Save")
	apptest.MustContain(t, got, "Acme has several open deals. Which one was this visit for?")
	got = h.Tap(flowRep, got, "service contract")
	apptest.MustContain(t, got, "Visit saved", "💼 For the deal “service contract” (stage: none yet)")

	// A visit that finds the client lost leaves the deal's stage: a deal is
	// lost by closing it, with a reason.
	got = h.Tap(flowRep, h.Send(flowRep, "/visit Acme; lost"), "service contract")
	apptest.MustContain(t, got, "💼 For the deal “service contract”. If it is lost, close it with the reason: /deal lost #")
	if s := dealStage(t, h, flowRep, "Acme", "service contract"); s != models.StageNone {
		t.Fatalf("service contract at %q after a lost visit", s)
	}

	// Chinese: the only deal is linked, in the form and the quick path.
	h.Send(flowRepZh, "/visit 华为; 面谈")
	apptest.MustContain(t, h.Send(flowRepZh, "/deal 华为; 20台; 320万"), "华为 的新项目")
	h.Send(flowRepZh, "/visit")
	apptest.MustContain(t, h.Tap(flowRepZh, h.Send(flowRepZh, "华为"), "✓ 保存"), "💼 关联项目“20台”(进度:尚无)")
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

// lastOffers reports whether the last message of sent with buttons offers
// one labelled label.
func lastOffers(sent []tgfake.Sent, label string) bool {
	for i := len(sent) - 1; i >= 0; i-- {
		if len(sent[i].Buttons) == 0 {
			continue
		}
		for _, row := range sent[i].Buttons {
			for _, b := range row {
				if b.Text == label {
					return true
				}
			}
		}
		return false
	}
	return false
}

// The deal form, tapped through in English and Chinese: buttons for the
// client, the close month, the budget and the procurement step, typed
// quantities, amounts, competitors with their details and the next step
// with its date; Save once the client and the title are known; bad input
// answered with an example and asked again.
func TestDealForm(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { dealForm(t, apptest.New(t)) })
	t.Run("postgres", func(t *testing.T) { dealForm(t, apptest.New(t, apptest.Postgres(t))) })
}

func dealForm(t *testing.T, h *apptest.Harness) {
	h.Clock.Set(time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC))
	h.Member(flowRep, "North", "rep")
	h.Member(flowRepZh, "North", "rep")
	h.Send(flowRep, "/visit Acme; phone")

	got := h.Send(flowRep, "/deal")
	apptest.MustContain(t, got, "Which client is the deal for?")
	if lastOffers(got, "✓ Save") {
		t.Fatal("Save offered before the client is known")
	}
	got = h.Send(flowRep, "Acme")
	apptest.MustContain(t, got, "What is the deal?")
	if lastOffers(got, "✓ Save") || lastOffers(got, "Skip") {
		t.Fatal("the title can be saved without or skipped")
	}
	got = h.Send(flowRep, "fleet renewal")
	apptest.MustContain(t, got, "How many units?")
	if !lastOffers(got, "✓ Save") {
		t.Fatal("no Save once the client and the title are known")
	}
	apptest.MustContain(t, h.Send(flowRep, "2.5"), "“2.5” is not a whole number of units. Example: 20 units", "How many units?")
	apptest.MustContain(t, h.Send(flowRep, "20"), "What is it worth?")
	apptest.MustContain(t, h.Send(flowRep, "-3M"), "“-3M” is negative", "Example: 3.2M CNY", "What is it worth?")
	got = h.Send(flowRep, "3.2M CNY")
	apptest.MustContain(t, got, "When is it expected to close?")
	apptest.Button(t, got, "2026-12")
	apptest.Button(t, got, "2027-05")
	got = h.Tap(flowRep, got, "2027-03")
	apptest.MustContain(t, got, "What about the client's budget?")
	got = h.Tap(flowRep, got, "approved")
	apptest.MustContain(t, got, "Where is the client in its own purchase process?")
	got = h.Tap(flowRep, got, "technical screening")
	apptest.MustContain(t, got, "Which competitors are in it?")
	apptest.MustContain(t, h.Send(flowRep, "Brand X (model X1"), "its details go in one pair of brackets. Example: vs Brand X (model X1, unhappy, rep Li)")
	apptest.MustContain(t, h.Send(flowRep, "vs Brand X (model X1, unhappy, rep Li), Brand Y"), "The next step, and when?")
	apptest.MustContain(t, h.Send(flowRep, "demo 2026-11-02"), "has passed", "Example: next demo 2027-01-15")
	got = h.Send(flowRep, "demo 2027-01-15")
	apptest.MustContain(t, got, "💼 New deal for Acme: fleet renewal\n• Quantity: 20\n• Value: 3,200,000 CNY\n• Expected close: 2027-03\n"+
		"• Budget: approved\n• Client's procurement step: technical screening\n• Competitors: Brand X (X1, unhappy, rep Li), Brand Y\n• Next step: demo — Fri 15 Jan 2027 09:00")
	var d *models.Deal
	for _, x := range dealsOf(t, h, flowRep, "Acme") {
		if x.Title == "fleet renewal" {
			d = x
		}
	}
	if d == nil || d.Units != 20 || d.Value.Minor != 320_000_000 || d.Value.Currency != "CNY" || d.CloseMonth.Key() != "2027-03" ||
		d.Budget != models.BudgetApproved || d.Step != models.StepScreening || len(d.Competitors) != 2 ||
		d.Competitors[0] != (models.Competitor{ID: d.Competitors[0].ID, DealID: d.ID, Name: "Brand X", Product: "X1", Satisfaction: "unhappy", Rep: "Li"}) ||
		d.NextStep != "demo" || !d.NextStepAt.Equal(time.Date(2027, 1, 15, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("saved deal %+v", d)
	}

	// Save as soon as the client and the title are known.
	h.Send(flowRep, "/deal")
	h.Send(flowRep, "Acme")
	got = h.Send(flowRep, "service contract")
	got = h.Tap(flowRep, got, "✓ Save")
	apptest.MustContain(t, got, "💼 New deal for Acme: service contract")
	if n := len(dealsOf(t, h, flowRep, "Acme")); n != 2 {
		t.Fatalf("%d deals, want 2", n)
	}

	// Chinese, typed and tapped; a client named for the first time is created.
	got = h.Send(flowRepZh, "/deal")
	apptest.MustContain(t, got, "这个项目是哪个客户的?")
	apptest.MustContain(t, h.Send(flowRepZh, "华为"), "项目是什么?")
	apptest.MustContain(t, h.Send(flowRepZh, "20台卡车"), "数量多少?")
	apptest.MustContain(t, h.Send(flowRepZh, "20台"), "金额多少?")
	apptest.MustContain(t, h.Send(flowRepZh, "320万"), "预计什么时候签约?")
	apptest.MustContain(t, h.Send(flowRepZh, "3月"), "客户的预算情况?")
	apptest.MustContain(t, h.Send(flowRepZh, "已批 300万"), "客户在自己的采购流程中走到哪一步了?")
	got = h.Tap(flowRepZh, h.Send(flowRepZh, "技术"), "技术筛选")
	apptest.MustContain(t, got, "有哪些竞争对手?")
	apptest.MustContain(t, h.Send(flowRepZh, "竞品 某品牌(型号X1,不满意,销售 李)"), "下一步做什么,什么时候?")
	got = h.Send(flowRepZh, "演示 1月15日")
	apptest.MustContain(t, got, "💼 华为 的新项目:20台卡车\n• 数量:20\n• 金额:3,200,000\n• 预计签约:2027-03\n• 预算:已批准 3,000,000\n"+
		"• 客户采购阶段:技术筛选\n• 竞争对手:某品牌 (X1, 不满意, 销售 李)\n• 下一步:演示 —— ")
	if ds := dealsOf(t, h, flowRepZh, "华为"); len(ds) != 1 || ds[0].Budget != models.BudgetApproved || ds[0].BudgetAmount.Minor != 300_000_000 {
		t.Fatalf("华为's deals %+v", ds)
	}
}

// clientSource reads a team client's source, as System sees it ("" and
// false when there is no such client).
func clientSource(t *testing.T, h *apptest.Harness, u tgfake.User, name string) (*models.Client, bool) {
	t.Helper()
	usr, err := h.App.DB.UserByTelegramID(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := h.App.DB.ClientsByKey(t.Context(), storage.System, []int64{usr.PrimaryTeam()}, name)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) == 0 {
		return nil, false
	}
	return cs[0], true
}

// A won deal asks for referrals: each new name becomes a client card
// with the source "referral from <client>"; names the team has are told,
// not made twice; five at most; That's all, Skip or a command end it. In
// English and Chinese.
func TestWonDealAsksForReferrals(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { wonDealReferrals(t, apptest.New(t)) })
	t.Run("postgres", func(t *testing.T) { wonDealReferrals(t, apptest.New(t, apptest.Postgres(t))) })
}

func wonDealReferrals(t *testing.T, h *apptest.Harness) {
	h.Clock.Set(time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC))
	h.Member(flowRep, "North", "rep")
	h.Member(flowRepZh, "North", "rep")
	h.Send(flowRep, "/visit Acme; phone")
	h.Send(flowRep, "/visit Brightway; phone")
	h.Send(flowRepZh, "/visit Zeta; phone")
	h.Send(flowRep, "/deal Acme; 20 trucks; 3.2M CNY")

	got := h.Send(flowRep, "/deal won Acme")
	apptest.MustContain(t, got, "🏆 Won: Acme — 20 trucks, 3,200,000 CNY.",
		"🤝 Who else could buy? The process asks five new names for every client won.", "“referral from Acme”. 0 of 5 so far.")
	apptest.Button(t, got, "✓ That's all")
	apptest.Button(t, got, "Skip")
	apptest.MustContain(t, h.Send(flowRep, " , ;"), "Type the names of people or companies who could buy, e.g. Brightway, Cobalt Ltd")
	got = h.Send(flowRep, "Cobalt Ltd, Brightway\nDelta; Zeta; cobalt ltd")
	apptest.MustContain(t, got, "➕ New client cards: Cobalt Ltd, Delta (referral from Acme; 2 of 5).",
		"Already in your team, not added again: Brightway, Zeta.", "2 of 5 so far.")
	got = h.Send(flowRep, "1. Echo\n2. Foxtrot\n3. Golf\n4. Hotel")
	apptest.MustContain(t, got, "➕ New client cards: Echo, Foxtrot, Golf (referral from Acme; 5 of 5).",
		"Only 5 names per client won; not added: Hotel.",
		"🤝 Thank you: 5 referrals from Acme — Cobalt Ltd, Delta, Echo, Foxtrot, Golf.")
	for _, name := range []string{"Cobalt Ltd", "Delta", "Echo", "Foxtrot", "Golf"} {
		c, ok := clientSource(t, h, flowRep, name)
		if !ok || c.Source != "referral from Acme" {
			t.Fatalf("client %s: %+v %v", name, c, ok)
		}
	}
	if _, ok := clientSource(t, h, flowRep, "Hotel"); ok {
		t.Fatal("a sixth referral was made")
	}
	apptest.MustContain(t, h.Send(flowRep, "/client Delta"), "referral from Acme")

	// That's all; and a command ends the referrals and runs.
	h.Send(flowRep, "/deal Acme; service; 50k")
	got = h.Send(flowRep, "/deal won Acme")
	apptest.MustContain(t, h.Tap(flowRep, got, "✓ That's all"), "No referrals from Acme this time.")
	h.Send(flowRep, "/deal Acme; spare parts; 10k")
	h.Send(flowRep, "/deal won Acme")
	apptest.MustContain(t, h.Send(flowRep, "/deals"), "No open deals.")

	// A manager closing Rita's deal gets the question; the cards are Rita's.
	h.Member(flowMgr, "North", "manager")
	h.Send(flowRep, "/deal Acme; tyres; 5k")
	var tyres int64
	for _, d := range dealsOf(t, h, flowRep, "Acme") {
		if d.Title == "tyres" {
			tyres = d.ID
		}
	}
	got = h.Send(flowMgr, fmt.Sprintf("/deal won #%d", tyres))
	apptest.MustContain(t, got, "🤝 Who else could buy?")
	apptest.MustContain(t, h.Send(flowMgr, "Juliet"), "➕ New client cards: Juliet (referral from Acme; 1 of 5).")
	rita, err := h.App.DB.UserByTelegramID(t.Context(), flowRep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := clientSource(t, h, flowRep, "Juliet"); !ok || c.OwnerID != rita.ID {
		t.Fatalf("Juliet: %+v %v, want Rita's", c, ok)
	}
	apptest.MustContain(t, h.Send(flowMgr, "/cancel"), "🤝 Thank you: 1 referral from Acme — Juliet.")

	// Chinese, numbered list, then Skip.
	h.Send(flowRepZh, "/deal Zeta; 5台")
	got = h.Send(flowRepZh, "/deal 赢单 Zeta")
	apptest.MustContain(t, got, "🤝 还有谁可能购买?流程要求每赢一个客户收集五个新名字。", "来源为“Zeta 转介绍”。目前 0/5。")
	got = h.Send(flowRepZh, "1）华为\n2）小米")
	apptest.MustContain(t, got, "➕ 新客户档案:华为、小米(Zeta 转介绍;2/5)。")
	apptest.MustContain(t, h.Tap(flowRepZh, got, "跳过"), "🤝 谢谢:从 Zeta 得到 2 个转介绍 —— 华为、小米。")
	if c, ok := clientSource(t, h, flowRepZh, "小米"); !ok || c.Source != "Zeta 转介绍" {
		t.Fatalf("小米: %+v %v", c, ok)
	}
}

// A later /deal that names no new deal (only the next step, competitors,
// budget, steps or close month) changes the client's open deal: the only
// one, or the one named by number; a teammate's deal is refused like any
// other access.
func TestDealChange(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { dealChange(t, apptest.New(t)) })
	t.Run("postgres", func(t *testing.T) { dealChange(t, apptest.New(t, apptest.Postgres(t))) })
}

func dealChange(t *testing.T, h *apptest.Harness) {
	h.Clock.Set(time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC))
	h.Member(flowRep, "North", "rep")
	h.Member(flowRepZh, "North", "rep")
	h.Send(flowRep, "/visit Acme; phone")
	h.Send(flowRepZh, "/visit 华为; 面谈")
	h.Send(flowRep, "/deal Acme; 20 trucks")
	apptest.MustContain(t, h.Send(flowRep, "/deal Acme; next demo 2027-01-15; vs Brand X (model X1, unhappy, rep Li)"),
		"💼 Updated: Acme — 20 trucks\n• Quantity: 20\n• Competitors: Brand X (X1, unhappy, rep Li)\n• Next step: demo — Fri 15 Jan 2027 09:00")
	apptest.MustContain(t, h.Send(flowRep, "/deal Acme; vs brand x (happy), Brand Z"), "• Competitors: Brand X (X1, happy, rep Li), Brand Z")
	if ds := dealsOf(t, h, flowRep, "Acme"); len(ds) != 1 || len(ds[0].Competitors) != 2 || ds[0].NextStep != "demo" {
		t.Fatalf("Acme's deals %+v", ds)
	}
	h.Send(flowRep, "/deal Acme; spare parts; 10k")
	got := h.Send(flowRep, "/deal Acme; close 2027-04")
	apptest.MustContain(t, got, "Acme has several open deals; which one?", "Say which by its number, e.g. /deal #1; close 2027-04")
	apptest.MustContain(t, h.Send(flowRep, "/deal #1; close 2027-04"), "💼 Updated: Acme — 20 trucks", "• Expected close: 2027-04")
	apptest.MustContain(t, h.Send(flowRep, "/deal #1; more trucks"), "What should change on deal #1? Example: /deal #1; next demo 2027-01-15")
	apptest.MustContain(t, h.Send(flowRep, "/deal #1; next demo 2026-11-30"), "has passed")
	// 张伟 does not see Acme: its deal is no way in.
	apptest.MustContain(t, h.Send(flowRepZh, "/deal #1; 下一步 打电话"), "这个项目不存在,或你无权查看。")
	if ds := dealsOf(t, h, flowRep, "Acme"); ds[0].NextStep != "demo" {
		t.Fatalf("张伟 changed Rita's deal: %+v", ds[0])
	}
	apptest.MustContain(t, h.Send(flowRep, "/deals"), "1. 2027-04 · Acme — 20 trucks · next: demo — Fri 15 Jan 2027 09:00")
	h.Send(flowRepZh, "/deal 华为; 20台")
	apptest.MustContain(t, h.Send(flowRepZh, "/deal 华为; 下一步 演示 1月15日"), "💼 已更新:华为 —— 20台", "• 下一步:演示 —— ")
	apptest.MustContain(t, h.Send(flowRepZh, "/client 华为"), "下一步:演示 —— ")
}
