package bot_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
	"salesbot/models"
)

var (
	dealRep   = tgfake.User{ID: 901, FirstName: "Rita", LanguageCode: "en"}
	dealRepZh = tgfake.User{ID: 902, FirstName: "张伟", LanguageCode: "zh"}
	dealMgr   = tgfake.User{ID: 903, FirstName: "Mia", LanguageCode: "en"}
	dealOther = tgfake.User{ID: 904, FirstName: "Olaf", LanguageCode: "en"}
)

// A rep logs a deal in English and one in Chinese, lists them, sees them on
// the card, wins one and loses one; bad amounts are answered with an
// example and save nothing; a teammate's and another team's clients are
// refused like any other client access; the manager sees the team's deals.
func TestDealsEndToEnd(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { dealsEndToEnd(t, apptest.New(t)) })
	t.Run("postgres", func(t *testing.T) { dealsEndToEnd(t, apptest.New(t, apptest.Postgres(t))) })
}

func dealsEndToEnd(t *testing.T, h *apptest.Harness) {
	h.Clock.Set(time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC))
	h.Member(dealRep, "North", "rep")
	h.Member(dealRepZh, "North", "rep")
	h.Member(dealMgr, "North", "manager")
	h.Member(dealOther, "South", "rep")
	apptest.MustContain(t, h.Send(dealRep, "/visit Acme; phone"), "Acme")
	apptest.MustContain(t, h.Send(dealRepZh, "/visit 华为; 面谈; 热心"), "华为")
	apptest.MustContain(t, h.Send(dealOther, "/visit Omega; phone"), "Omega")

	got := h.Send(dealRep, "/deal Acme; 20 trucks; 3.2M CNY; close 2027-03; vs Brand X")
	apptest.MustContain(t, got, "💼 New deal for Acme: 20 trucks\n• Quantity: 20\n• Value: 3,200,000 CNY\n• Expected close: 2027-03\n• Competitors: Brand X\n/deals lists your open deals; /deal won Acme or /deal lost Acme closes this one.")

	apptest.MustContain(t, h.Send(dealRepZh, "/deal 华为; 20台; 320万; 3月签; 竞品 某品牌"),
		"💼 华为 的新项目:20台\n• 数量:20\n• 金额:3,200,000\n• 预计签约:2027-03\n• 竞争对手:某品牌\n/deals 列出你的进行中项目;/deal 赢单 华为 或 /deal 丢单 华为 关闭这个项目。")

	// Bad input: an example, nothing saved.
	apptest.MustContain(t, h.Send(dealRep, "/deal Acme; 20 trucks; -3.2M"), "“-3.2M” is negative", "Example: 3.2M CNY")
	apptest.MustContain(t, h.Send(dealRep, "/deal Acme; lots of money 3.2Q"), "💼 New deal for Acme: lots of money 3.2Q")
	apptest.MustContain(t, h.Send(dealRep, "/deal Acme; 3.2Q"), "I couldn't read “3.2Q” as an amount. Examples: 3.2M CNY")
	apptest.MustContain(t, h.Send(dealRepZh, "/deal 华为; 2.5台"), "“2.5台”不是整数台数")
	apptest.MustContain(t, h.Send(dealRep, "/deal Acme; close someday"), "I couldn't read the month in “close someday”. Examples: close 2027-03")
	apptest.MustContain(t, h.Send(dealRep, "/deal"), "(or in one message: /deal Acme; 20 trucks; 3.2M CNY; close 2027-03; vs Brand X)", "Which client is the deal for?")
	apptest.MustContain(t, h.Send(dealRep, "/cancel"), "Cancelled")

	// A teammate's client (华为 is 张伟's) and another team's are not found.
	apptest.MustContain(t, h.Send(dealRep, "/deal 华为; 5 units"), "华为 is a client of 张伟, and not shared with you.")
	// Another team's client is not one Rita can see: a change to its deal
	// finds no client (a new deal on that name would be a new card of
	// North's, as /visit makes one, and tells nothing of South's).
	apptest.MustContain(t, h.Send(dealRep, "/deal Omega; next call friday"), "I have no client “Omega” that you can see.")
	deals := func(u tgfake.User) []*models.Deal {
		t.Helper()
		usr, err := h.App.DB.UserByTelegramID(t.Context(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		ds, err := h.App.DB.OpenDeals(t.Context(), usr, usr.PrimaryTeam())
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	if n := len(deals(dealRep)); n != 2 {
		t.Fatalf("Rita has %d open deals; want 2 (a refused or bad /deal saves nothing)", n)
	}
	if n := len(deals(dealOther)); n != 0 {
		t.Fatalf("Olaf has %d deals", n)
	}
	for _, u := range []tgfake.User{dealRep, dealOther} {
		for _, sent := range h.Send(u, "/deal won 华为") {
			if sent.Text != "" && containsAny(sent.Text, "Won", "赢单") {
				t.Fatalf("%s closed 张伟's deal: %q", u.FirstName, sent.Text)
			}
		}
	}

	apptest.MustContain(t, h.Send(dealRep, "/deals"),
		"💼 Your open deals (2), by expected close:\n1. 2027-03 · Acme — 20 trucks · 3,200,000 CNY\n2. no close month · Acme — lots of money 3.2Q\nTotal: 20 units, 3,200,000 CNY")
	apptest.MustContain(t, h.Send(dealMgr, "/deals"),
		"💼 The team's open deals (3), by expected close:\n1. 2027-03 · Acme — 20 trucks · 3,200,000 CNY · Rita\n2. 2027-03 · 华为 — 20台 · 3,200,000 · 张伟\n3. no close month · Acme — lots of money 3.2Q · Rita")

	// Several open deals: which one?
	got = h.Send(dealRep, "/deal won Acme")
	apptest.MustContain(t, got, "Acme has several open deals; which one?", "Say it by number, e.g. /deal won #")
	id := deals(dealRep)[0].ID
	apptest.MustContain(t, h.Send(dealRep, "/deal won #"+strconv.FormatInt(id, 10)+" 18 units 3M"), "🏆 Won: Acme — 20 trucks, 18 units, 3,000,000 CNY. Well done!")
	apptest.MustContain(t, h.Send(dealRep, "/deal won #"+strconv.FormatInt(id, 10)), "The deal “20 trucks” is closed already.")
	apptest.MustContain(t, h.Send(dealRep, `/deal lost Acme price "too expensive"`), "Filed as lost: Acme — lots of money 3.2Q. Reason: price — “too expensive”.")
	apptest.MustContain(t, h.Send(dealRep, "/deal lost Acme"), "Acme has no open deal.")
	apptest.MustContain(t, h.Send(dealRep, "/deal lost Acme; cheaper"), "Why was it lost? One of: price")
	apptest.MustContain(t, h.Send(dealRepZh, "/deal 丢单 华为"), "“20台”为什么丢单?点选原因")
	apptest.MustContain(t, h.Send(dealRepZh, "/deal 丢单 华为 竞争对手 某品牌"), "已记为丢单:华为 —— 20台。原因:竞争对手(某品牌)。")

	apptest.MustContain(t, h.Send(dealRep, "/client Acme"), "Deals (2):\n• 🏆 2027-03 · 20 trucks · 18 units · 3,000,000 CNY\n• ✖️ no close month · lots of money 3.2Q · price")
	apptest.MustContain(t, h.Send(dealRepZh, "/client 华为"), "项目(1 个):\n• ✖️ 2027-03 · 20台 · 3,200,000 · 竞争对手")
	apptest.MustContain(t, h.Send(dealRep, "/deals"), "No open deals.")

	// Lost without a reason: the categories as buttons.
	apptest.MustContain(t, h.Send(dealRep, "/deal Acme; service contract; 50k"), "💼 New deal for Acme: service contract")
	got = h.Send(dealRep, "/deal lost Acme")
	apptest.MustContain(t, got, "Why was “service contract” lost? Tap a reason")
	apptest.MustContain(t, h.Tap(dealRep, got, "relationship"), "Filed as lost: Acme — service contract. Reason: relationship.")
	// The question is answered: its other buttons do nothing.
	apptest.MustContain(t, h.Tap(dealRep, got, "price"), "This button no longer works.")
	apptest.MustContain(t, h.Send(dealRep, "/client Acme"), "Deals (3):", "service contract · 50,000 · relationship")
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
