package bot_test

import (
	"strings"
	"testing"
	"time"

	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
)

var (
	qaRep   = tgfake.User{ID: 1701, FirstName: "Rita", LanguageCode: "en"}
	qaRepZh = tgfake.User{ID: 1702, FirstName: "张伟", LanguageCode: "zh"}
)

// A deal typed without a product is named by its quantity ("5 units"):
// winning it says the quantity once, in the confirmation and in /month.
func TestQAWonDealSaysQuantityOnce(t *testing.T) {
	h := apptest.New(t)
	h.Clock.Set(time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC))
	h.Member(qaRep, "North", "rep")
	h.Member(qaRepZh, "North", "rep")

	apptest.MustContain(t, h.Send(qaRep, "/deal Beta; 5 units; 500k CNY; close 2026-12"), "New deal for Beta: 5 units")
	apptest.MustContain(t, h.Send(qaRep, "/deals"), "2026-12 · Beta — 5 units · 500,000 CNY")
	got := h.Send(qaRep, "/deal won Beta")
	apptest.MustContain(t, got, "🏆 Won: Beta — 5 units, 500,000 CNY. Well done!")
	got = h.Send(qaRep, "/month")
	apptest.MustContain(t, got, "• Beta — 5 units · 500,000 CNY")
	for _, s := range got {
		if strings.Contains(s.Text, "5 units · 5 units") {
			t.Errorf("/month says the quantity twice:\n%s", s.Text)
		}
	}

	// A titled deal keeps its quantity.
	h.Send(qaRep, "/deal Gamma; fleet renewal; 7 units; 70k CNY; close 2026-12")
	apptest.MustContain(t, h.Send(qaRep, "/deal won Gamma"), "🏆 Won: Gamma — fleet renewal, 7 units, 70,000 CNY.")

	apptest.MustContain(t, h.Send(qaRepZh, "/deal 华为; 20台; 32万; 12月签"), "20台")
	apptest.MustContain(t, h.Send(qaRepZh, "/deals"), "华为 — 20台 · 320,000")
	apptest.MustContain(t, h.Send(qaRepZh, "/deal 赢单 华为"), "🏆 赢单:华为 —— 20台,320,000。干得好!")
	got = h.Send(qaRepZh, "/month")
	apptest.MustContain(t, got, "• 华为 —— 20台 · 320,000")
}
