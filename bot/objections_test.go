package bot_test

import (
	"strings"
	"testing"

	"salesbot/internal/apptest"
	"salesbot/internal/storage"
	"salesbot/models"
)

func objectionsOf(t *testing.T, h *apptest.Harness, c *models.Client) []*models.Objection {
	t.Helper()
	os, err := h.App.DB.Objections(t.Context(), storage.ObjectionFilter{Viewer: storage.System, ClientID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	return os
}

func TestObjectionQuickLinkedAndResolved(t *testing.T) {
	h := salesTeam(t)
	h.Send(ann, "/visit Acme; demo")
	got := h.Send(ann, `/objection Acme; price; "too expensive"; answer: 12-month payment terms`)
	apptest.MustContain(t, got, "✅ Objection saved — Acme: price",
		"• “price” → category: price",
		"• “\"too expensive\"” → client's words: too expensive",
		"• “answer: 12-month payment terms” → answer: 12-month payment terms",
		"Linked to your visit of Mon 23 Nov 2026 09:00.")
	acme := clientNamed(t, h, "North", "Acme")
	os := objectionsOf(t, h, acme)
	v := visitsOf(t, h, acme)[0]
	if len(os) != 1 || os[0].VisitID != v.ID || os[0].Words != "too expensive" || os[0].Category != models.ObjPrice || os[0].Resolved {
		t.Fatalf("stored %+v", os)
	}

	// The list offers Resolved; the answer given is recorded as what worked.
	got = h.Send(ann, "/objections")
	apptest.MustContain(t, got, "Recent objections:", "1. Mon 23 Nov · Acme · price — “too expensive” · answer: 12-month payment terms · open")
	got = h.Tap(ann, got, "✓ 1 resolved")
	apptest.MustContain(t, got, "Which answer resolved it? Acme: price")
	got = h.Tap(ann, got, "The answer given")
	apptest.MustContain(t, got, "✓ Resolved — Acme, price. What worked: 12-month payment terms")
	os = objectionsOf(t, h, acme)
	if !os[0].Resolved || os[0].WorkedAnswer != "12-month payment terms" || os[0].ResolvedAt == nil {
		t.Fatalf("resolved %+v", os[0])
	}
	apptest.MustContain(t, h.Send(ann, "/objections acme"), "Objections at Acme:", "✓ resolved: 12-month payment terms")
	apptest.MustContain(t, h.Send(ann, "/client acme"), "Objections:", "price — “too expensive”")
}

func TestObjectionFormAndTypedAnswer(t *testing.T) {
	h := salesTeam(t)
	apptest.MustContain(t, h.Send(wei, "/objection 华为; 没预算; “明年之前不打算买”"),
		"✅ 异议已记录 —— 华为:没预算/暂不购买", "• “没预算” → 类别:没预算/暂不购买", "客户原话:明年之前不打算买")
	got := h.Send(ann, "/objection")
	apptest.MustContain(t, got, "Which client raised the objection?")
	got = h.Send(ann, "Globex")
	apptest.MustContain(t, got, "What kind of objection?")
	got = h.Tap(ann, got, "happy with current supplier")
	got = h.Send(ann, "we are happy with Initech")
	apptest.MustContain(t, got, "The answer you gave?")
	got = h.Tap(ann, got, "Skip")
	apptest.MustContain(t, got, "✅ Objection saved — Globex: happy with current supplier", "Client's words: we are happy with Initech")
	mustNotContain(t, got, "Linked to") // no visit to Globex today
	// Resolved by an answer typed afterwards.
	got = h.Tap(ann, got, "✓ Resolved")
	got = h.Tap(ann, got, "Another answer")
	apptest.MustContain(t, got, "Type the answer that worked:")
	got = h.Send(ann, "a free pilot next to Initech")
	apptest.MustContain(t, got, "✓ Resolved — Globex, happy with current supplier. What worked: a free pilot next to Initech")
	// A quick objection without a category asks for it, keeping the rest.
	got = h.Send(ann, `/objection Globex; "we need the board's OK"`)
	apptest.MustContain(t, got, "What kind of objection was it?")
	got = h.Tap(ann, got, "needs approval")
	apptest.MustContain(t, got, "✅ Objection saved — Globex: needs approval", "client's words: we need the board's OK")
	// /undo takes the newest objection back.
	got = h.Send(ann, "/undo")
	apptest.MustContain(t, got, "Undo your objection at Globex (needs approval)?")
	apptest.MustContain(t, h.Tap(ann, got, "Undo it"), "↩️ Undone: the objection at Globex (needs approval).")
	if os := objectionsOf(t, h, clientNamed(t, h, "North", "Globex")); len(os) != 1 || !os[0].Resolved {
		t.Fatalf("objections after undo %+v", os)
	}
}

func TestBadInputIsExplained(t *testing.T) {
	h := salesTeam(t)
	long := strings.Repeat("名", models.MaxNameLen+1)
	cases := []struct{ in, want string }{
		{"/visit demo; warm", "Which client was it? The client comes first, e.g. /visit Acme; demo; warm"},
		{"/visit " + long + "; demo", "Too long — client name: 201 characters, at most 200 fit. Please shorten it and send again, e.g. /visit Acme; demo"},
		{"/visit Acme; next: " + strings.Repeat("x", 1001), "Too long — next step: 1001 characters, at most 1000 fit."},
		{"/visit Acme; met Li (chef", "• “met Li (chef” → the words in brackets are not a role (gatekeeper, buyer, user, decision maker, influencer); kept as a note"},
		{"/visit Acme; met Li (chef)", "• “met Li (chef)” → met Li, chef"},
		{"/visit Acme; revisit soon", "• “revisit soon” → no date I can read; kept as a note (set one with Edit → Next visit)"},
		{"/clients Z", "“Z” is not a grade. Grades are A, B, C and D, e.g. /clients A"},
		{"/client Nobody", "I have no client “Nobody” that you can see. Check the name, or create it: /client add Nobody"},
		{"/objection price", "Which client was it? The client comes first, e.g. /objection Acme; price"},
		{"/objection Acme; price; answer: " + strings.Repeat("y", 1001), "Too long — answer: 1001 characters, at most 1000 fit. Please shorten it and send again, e.g. /objection Acme; price"},
	}
	// each case starts without a waiting form (Cancel asks when something was entered)
	cancel := func() {
		if got := h.Send(ann, "/cancel"); strings.Contains(apptest.Joined(got), "Discard") {
			h.Tap(ann, got, "Discard it")
		}
	}
	for _, c := range cases {
		cancel()
		apptest.MustContain(t, h.Send(ann, c.in), c.want)
	}
	// A next visit in the past is questioned, the rest kept for the answer.
	cancel()
	got := h.Send(ann, "/visit Acme; demo; revisit 2026-11-20")
	apptest.MustContain(t, got, "Fri 20 Nov 2026 09:00 has already passed, so it cannot be the next visit.", "When should you call or visit again?")
	got = h.Tap(ann, got, "In 2 weeks")
	apptest.MustContain(t, got, "✅ Visit saved — Acme", "• “demo” → stage: demo / trial", "Follow-up: Mon 7 Dec 2026 09:00")
	// Plain text without a form is not lost silently.
	apptest.MustContain(t, h.Send(ann, "met Li today"), "I didn't save that")
	// A stranger's press on a rep's button changes nothing.
	apptest.MustContain(t, h.Press(stranger, 1, "v:u:1"), "salesbot is for invited sales teams")
	if len(visitsOf(t, h, clientNamed(t, h, "North", "Acme"))) == 0 {
		t.Fatal("the visit is gone")
	}
	// Garbage callback data.
	for _, data := range []string{"v:u:x", "v:f:1:bogus", "c:S:1:bogus", "cl:Q:0", "h:1:-1", "o:r:999", "zz:1"} {
		if got := h.Press(ann, 1, data); apptest.Joined(got) != "This button no longer works." {
			t.Errorf("%s: %q", data, apptest.Joined(got))
		}
	}
}

// Long entries are stored whole and shown shortened, within Telegram's limit.
func TestLongEntriesFitInOneMessage(t *testing.T) {
	h := salesTeam(t)
	long := strings.Repeat("长", 990)
	got := h.Send(ann, "/visit Acme; points: "+long+"; view: "+long+"; next: "+long+"; note: "+long)
	if len(got) == 0 || len([]rune(got[0].Text)) > 4000 {
		t.Fatalf("confirmation of %d characters", len([]rune(apptest.Joined(got))))
	}
	apptest.MustContain(t, got, "✅ Visit saved — Acme", "…")
	v := visitsOf(t, h, clientNamed(t, h, "North", "Acme"))[0]
	if v.TalkingPoints != long || v.ClientView != long || v.NextStep != long || v.Notes != long {
		t.Fatal("a long field was not stored whole")
	}
}
