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

func TestVisitFormWithSkipBackAndCancel(t *testing.T) {
	h := salesTeam(t)
	got := h.Send(ann, "/visit")
	// Ann has no recent client to tap.
	apptest.MustContain(t, got, "Which client did you visit? Type the client's name.")
	got = h.Send(ann, "Globex")
	apptest.MustContain(t, got, "How did you meet them?")
	got = h.Tap(ann, got, "phone")
	apptest.MustContain(t, got, "How did you meet them?\n→ phone", "Who did you meet?")
	got = h.Send(ann, "Zhou (buyer)")
	apptest.MustContain(t, got, "So far: Zhou (buyer)")
	got = h.Send(ann, "Qian")
	apptest.MustContain(t, got, "So far: Zhou (buyer), Qian")
	// Words in brackets that are not a role are the title (issue 11, item 5);
	// brackets that do not close are explained, the list kept.
	got = h.Send(ann, "Wu (CFO)")
	apptest.MustContain(t, got, "So far: Zhou (buyer), Qian, Wu, CFO")
	got = h.Send(ann, "Sun (chef")
	apptest.MustContain(t, got, "I cannot read “Sun (chef” as a person", "e.g. Li (buyer)", "So far: Zhou (buyer), Qian, Wu, CFO")
	got = h.Tap(ann, got, "✓ Done")
	apptest.MustContain(t, got, "Which stage did the client reach?")
	got = h.Tap(ann, got, "« Back")
	apptest.MustContain(t, got, "Who did you meet?", "So far: Zhou (buyer), Qian, Wu, CFO")
	got = h.Tap(ann, got, "Skip")
	apptest.MustContain(t, got, "→ skipped", "Which stage did the client reach?")
	got = h.Tap(ann, got, "4. demo / trial")
	apptest.MustContain(t, got, "How was the client's attitude?")
	got = h.Tap(ann, got, "Skip")
	apptest.MustContain(t, got, "The agreed next step?")
	got = h.Send(ann, "send samples")
	apptest.MustContain(t, got, "Talking points: what did you discuss?")
	got = h.Send(ann, "pricing and delivery")
	apptest.MustContain(t, got, "The client's view: what did they say?")
	got = h.Tap(ann, got, "Skip")
	apptest.MustContain(t, got, "When should you call or visit again? The one-week rule says Mon 30 Nov 2026 09:00.")
	got = h.Tap(ann, got, "📅 Pick a date")
	apptest.MustContain(t, got, "Which day? For example")
	// A date in the past is questioned, a date it cannot read explained.
	got = h.Send(ann, "2026-11-20")
	apptest.MustContain(t, got, "Fri 20 Nov 2026 09:00 has already passed", "Which day?")
	got = h.Send(ann, "someday")
	apptest.MustContain(t, got, "I cannot read “someday” as a date. Try for example: friday 10:00", "Which day?")
	got = h.Send(ann, "friday 15:00")
	apptest.MustContain(t, got, "When was the visit?") // the last question; Now is the default
	got = h.Tap(ann, got, "Now")
	apptest.MustContain(t, got,
		"✅ Visit saved — Globex, Mon 23 Nov 2026 09:00",
		"Method: phone", "Met: Zhou (buyer), Qian", "Talking points: pricing and delivery", "Next step: send samples",
		"Stage: demo / trial", "Follow-up: Fri 27 Nov 2026 15:00")
	mustNotContain(t, got, "How I read it")

	c := clientNamed(t, h, "North", "Globex")
	vs := visitsOf(t, h, c)
	if len(vs) != 1 {
		t.Fatalf("visits %d", len(vs))
	}
	v, _ := h.App.DB.Visit(t.Context(), storage.System, vs[0].ID)
	if v.Method != models.MethodPhone || v.Stage != models.StageDemo || v.Attitude != "" || v.ClientView != "" ||
		v.TalkingPoints != "pricing and delivery" || len(v.ContactIDs) != 3 ||
		v.NextVisitAt == nil || !v.NextVisitAt.Equal(time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)) {
		t.Fatalf("stored %+v", v)
	}

	// The title typed in brackets is stored with the contact.
	cs, _ := h.App.DB.Contacts(t.Context(), storage.System, c.ID)
	titled := false
	for _, ct := range cs {
		titled = titled || ct.Name == "Wu" && ct.Title == "CFO"
	}
	if !titled {
		t.Fatalf("contacts %+v: Wu without the title CFO", cs)
	}

	// Cancel keeps nothing and says what had been entered.
	h.Send(ann, "/visit")
	got = h.Send(ann, "Initech")
	got = h.Tap(ann, h.Tap(ann, got, "Cancel"), "Discard it")
	apptest.MustContain(t, got, "Cancelled; nothing was saved. You had entered:\n• Client: Initech")
	if _, err := h.App.DB.ClientByName(t.Context(), storage.System, c.TeamID, "Initech"); models.ErrorCode(err) != models.ENOTFOUND {
		t.Fatalf("a cancelled form created a client: %v", err)
	}
	// A command asks first, then runs once the form is discarded.
	h.Send(ann, "/visit")
	h.Send(ann, "Initech")
	got = h.Send(ann, "/clients")
	apptest.MustContain(t, got, "Finish it first, or discard it and run /clients?", "• Client: Initech")
	apptest.MustContain(t, h.Tap(ann, got, "Discard it, run /clients"), "• Client: Initech", "Your clients: 1")
}

func TestVisitFormSurvivesRestart(t *testing.T) {
	h := salesTeam(t)
	h.Send(ann, "/visit Globex; met Zhou (buyer)")
	got := h.Send(ann, "/visit")
	apptest.MustContain(t, got, "Which client did you visit?")
	got = h.Tap(ann, got, "Globex") // a recent client, as a button
	apptest.MustContain(t, got, "How did you meet them?")
	h.Restart()
	got = h.Send(ann, "2") // phone, typed as the button's number
	// The client's only contact is chosen already.
	apptest.MustContain(t, got, "Who did you meet?", "So far: Zhou (buyer)")
	apptest.Button(t, got, "✓ Zhou (buyer)")
	h.Restart()
	got = h.Tap(ann, h.Fake.SentTo(ann.ID), "✓ Done")
	got = h.Tap(ann, got, "5. proposal / quote")
	got = h.Tap(ann, got, "warm")
	for _, q := range []string{"The agreed next step", "Talking points", "The client's view"} {
		apptest.MustContain(t, got, q)
		got = h.Tap(ann, got, "Skip")
	}
	apptest.MustContain(t, got, "When should you call or visit again?")
	got = h.Tap(ann, h.Tap(ann, got, "No follow-up"), "Now")
	apptest.MustContain(t, got, "✅ Visit saved — Globex", "Met: Zhou (buyer)", "Attitude: warm", "Stage: proposal / quote", "No follow-up for this visit.")
	apptest.Button(t, got, "✏️ Edit")
	c := clientNamed(t, h, "North", "Globex")
	vs := visitsOf(t, h, c)
	if len(vs) != 2 || vs[0].Method != models.MethodPhone || vs[0].Stage != models.StageProposal || !vs[0].NoFollowUp {
		t.Fatalf("visits after restart %+v", vs)
	}
	if c.Stage != models.StageProposal {
		t.Fatalf("client stage %s", c.Stage)
	}
}

// The form's client question offers recent clients only to a rep who has
// some; one who has none is told to type the name, in each language.
func TestVisitFormClientQuestionFitsRecentClients(t *testing.T) {
	h := salesTeam(t)
	for _, c := range []struct {
		who                          tgfake.User
		client, none, recent, cancel string
	}{
		{ann, "Acme", "Which client did you visit? Type the client's name.", "Which client did you visit? Tap a recent one or type the name.", "Cancel"},
		{wei, "华为", "拜访了哪个客户?请输入客户名称。", "拜访了哪个客户?点选最近的客户,或输入名称。", "取消"},
	} {
		got := h.Send(c.who, "/visit")
		apptest.MustContain(t, got, c.none)
		if strings.Contains(apptest.Joined(got), c.recent) {
			t.Fatalf("%s with no visits is offered recent clients: %q", c.who.FirstName, apptest.Texts(got))
		}
		h.Tap(c.who, got, c.cancel)
		h.Send(c.who, "/visit "+c.client+"; demo")
		got = h.Send(c.who, "/visit")
		apptest.MustContain(t, got, c.recent)
		h.Tap(c.who, got, c.cancel)
	}
	apptest.MustContain(t, h.Send(ann, "/objection"), "Which client raised the objection? Tap a recent one or type the name.")
	apptest.MustContain(t, h.Send(bob, "/objection"), "Which client raised the objection? Type the client's name.")
}
