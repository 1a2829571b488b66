package bot_test

import (
	"strings"
	"testing"
	"time"

	"salesbot/internal/apptest"
)

// A visit logged for a time before the client's latest visit (a rep
// catching up) makes no revisit that is overdue at once: the later visit
// was its revisit. /followups and the card keep the later visit's.
func TestBackdatedVisitBeforeALaterOneMakesNoOverdueRevisit(t *testing.T) {
	h := apptest.New(t)
	h.Clock.Set(time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)) // Tue 1 Dec 14:00 in Shanghai
	h.Member(dealRep, "North", "rep")
	h.Send(dealRep, "/tz Asia/Shanghai")
	apptest.MustContain(t, h.Send(dealRep, "/visit Omega; demo"), "Follow-up: Tue 8 Dec 2026 14:00")
	got := h.Send(dealRep, "/visit Omega; 2026-11-20 10:00; call")
	apptest.MustContain(t, got, "Follow-up: none — your visit on Tue 1 Dec 2026 14:00 came after this one and was its revisit.")
	fu := apptest.Joined(h.Send(dealRep, "/followups"))
	if strings.Contains(fu, "27 Nov") || strings.Contains(fu, "Overdue") {
		t.Fatalf("a backdated visit's revisit is open:\n%s", fu)
	}
	apptest.MustContain(t, h.Send(dealRep, "/followups"), "Tue 8 Dec")
	card := apptest.Joined(h.Send(dealRep, "/client Omega"))
	if strings.Contains(card, "27 Nov") {
		t.Fatalf("the card shows the backdated visit's revisit:\n%s", card)
	}
}
