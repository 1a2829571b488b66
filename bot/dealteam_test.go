package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"salesbot/internal/apptest"
)

// A team's currency: amounts typed without one ("320万", "800k", a value
// target "5M") are in it, so /deals and /pipeline never sum a currency
// with none; a bad code is answered with an example and changes nothing;
// only a manager sets it.
func TestTeamCurrency(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { teamCurrency(t, apptest.New(t)) })
	t.Run("postgres", func(t *testing.T) { teamCurrency(t, apptest.New(t, apptest.Postgres(t))) })
}

func teamCurrency(t *testing.T, h *apptest.Harness) {
	h.Clock.Set(time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC))
	h.Member(dealRep, "North", "rep")
	h.Member(dealRepZh, "North", "rep")
	h.Member(dealMgr, "North", "manager")
	h.Send(dealRep, "/visit Acme; phone")
	h.Send(dealRepZh, "/visit 华为; 面谈")

	// Not set: an amount without a currency stays without one, and the
	// settings say how to set it.
	apptest.MustContain(t, h.Send(dealMgr, "/settings"), "Currency (of amounts typed without one): not set: amounts without a currency stay without one (/settings currency CNY)")
	apptest.MustContain(t, h.Send(dealRep, "/deal Acme; 5 units; 800k"), "• Value: 800,000\n")

	apptest.MustContain(t, h.Send(dealMgr, "/settings currency dollars"), "/settings currency CNY")
	apptest.MustContain(t, h.Send(dealMgr, "/settings currency XYZ"), "/settings currency CNY")
	apptest.MustContain(t, h.Send(dealRep, "/settings currency CNY"), "managers")
	apptest.MustContain(t, h.Send(dealMgr, "/settings"), "Currency (of amounts typed without one): not set")

	apptest.MustContain(t, h.Send(dealMgr, "/settings currency cny"), "Saved.", "Currency (of amounts typed without one): CNY")
	apptest.MustContain(t, h.Send(dealRepZh, "/deal 华为; 20台; 320万; 3月签"), "• 金额:3,200,000 CNY")
	apptest.MustContain(t, h.Send(dealRep, "/deal Acme; 2 units; 50k USD"), "• Value: 50,000 USD")
	// The deal logged before the currency was set keeps none; the new
	// ones are in CNY (or what was typed).
	apptest.MustContain(t, h.Send(dealMgr, "/deals"), "3,200,000 CNY", "50,000 USD", "800,000 ·")
	apptest.MustContain(t, h.Send(dealMgr, "/target team value 5M"), "Target saved: team North, value 5,000,000 CNY in Dec 2026.", "Team: value 0/5,000,000 CNY")
	apptest.MustContain(t, h.Send(dealRepZh, "/settings 币种 人民币"), "经理")
}

// /deal on a name nobody has makes the card with the deal, as /visit
// does; a deal that is refused leaves no card behind.
func TestDealOnNewClient(t *testing.T) {
	h := apptest.New(t)
	h.Clock.Set(time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC))
	h.Member(dealRep, "North", "rep")
	h.Member(dealRepZh, "North", "rep")
	apptest.MustContain(t, h.Send(dealRep, "/deal Nova; 5 units; 800k; close 2027-01"),
		"💼 New deal for Nova: 5 units\n• Quantity: 5\n• Value: 800,000\n• Expected close: 2027-01", "➕ Nova is a new client card: /client Nova")
	apptest.MustContain(t, h.Send(dealRep, "/client Nova"), "🏢 Nova", "5 units")
	apptest.MustContain(t, h.Send(dealRepZh, "/deal 小米; 8台; 80万"), "💼 小米 的新项目:8台", "➕ 已新建客户档案 小米")

	// A title over the limit is refused by the deal's own check, after
	// the card was made in the same transaction: both go.
	long := "/deal Orion; 5 units; " + strings.Repeat("big order ", 25)
	got := apptest.Joined(h.Send(dealRep, long))
	apptest.MustContain(t, h.Send(dealRep, long), "200")
	if strings.Contains(got, "New deal") || strings.Contains(got, "new client card") {
		t.Fatalf("a refused deal was saved: %s", got)
	}
	apptest.MustContain(t, h.Send(dealRep, "/client Orion"), "I have no client “Orion”")
}

// /deals never sums a value typed without a currency into one that has
// one, whichever comes first, and says how to fix it.
func TestDealsTotalKeepsCurrenciesApart(t *testing.T) {
	h := apptest.New(t)
	h.Clock.Set(time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC))
	h.Member(dealRep, "North", "rep")
	h.Send(dealRep, "/deal Acme; 5 units; 800k; close 2027-01")
	h.Send(dealRep, "/deal Acme; 2 units; 3.2M CNY; close 2027-02")
	got := apptest.Joined(h.Send(dealRep, "/deals"))
	apptest.MustContain(t, h.Send(dealRep, "/deals"), "Total: 7 units (values in several currencies; some typed without one — a manager sets the team's: /settings currency CNY)")
	if strings.Contains(got, "4,000,000") {
		t.Fatalf("800,000 without a currency summed into CNY:\n%s", got)
	}
}

// A deal won at this very instant counts in the month's attainment, as it
// does in the won list: /target right after /deal won, with the clock
// held still, shows it.
func TestWonNowCountsInAttainment(t *testing.T) {
	h := apptest.New(t)
	h.Clock.Set(time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC))
	h.Member(dealRep, "North", "rep")
	h.Member(dealMgr, "North", "manager")
	h.Send(dealMgr, "/target @"+dealRep.FirstName+" units 30")
	h.Send(dealRep, "/deal Acme; 20 units; 3.2M CNY; close 2026-12")
	apptest.MustContain(t, h.Send(dealRep, "/deal won Acme"), "Won: Acme")
	apptest.MustContain(t, h.Send(dealRep, "/target"), "20/30 units")
}

// /deals lists the first 30 by expected close and says how many more, with
// the totals of all of them (a message holds a list a person reads; the
// rest are in /pipeline and /export).
func TestDealsListIsBounded(t *testing.T) {
	h := apptest.New(t)
	h.Clock.Set(time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC))
	h.Member(dealRep, "North", "rep")
	for i := 1; i <= 32; i++ {
		h.Send(dealRep, fmt.Sprintf("/deal Client %02d; %d units; close 2027-01", i, i))
	}
	got := apptest.Joined(h.Send(dealRep, "/deals"))
	apptest.MustContain(t, h.Send(dealRep, "/deals"), "💼 Your open deals (32), by expected close:",
		"30. 2027-01 · Client 30 — 30 units", "…and 2 more: /pipeline shows them all", "Total: 528 units")
	if strings.Contains(got, "31. ") {
		t.Fatalf("more than 30 listed:\n%s", got)
	}
}
