package bot_test

import (
	"testing"
	"time"

	"salesbot/internal/apptest"
	"salesbot/internal/storage"
	"salesbot/models"
)

// Undo removes exactly what the entry added and says what before it does
// (issue 11, item 1): it asks with Undo / Keep, keeps a client card that
// gained anything since, and each /undo asks again — never a chain.
func TestUndoAsksAndKeepsWhatTheCardGained(t *testing.T) {
	h := salesTeam(t)
	got := h.Send(ann, "/visit Acme; met Li (buyer); demo")
	h.Tap(ann, got, "B — possible client")
	apptest.MustContain(t, h.Send(ann, "/plan next mon Acme demo"), "Acme")

	got = h.Send(ann, "/undo")
	apptest.MustContain(t, got,
		"Undo your visit to Acme of Mon 23 Nov 2026 09:00?",
		"• Its revisit of Mon 30 Nov 2026 09:00 is cancelled with it.",
		"• Acme's stage demo / trial is taken back: it had none before.",
		"• The client card Acme, which it created, stays: it has a grade or other details, 1 planned visit.")
	if b := got[len(got)-1].Buttons; len(b) != 1 || len(b[0]) != 2 || b[0][0].Text != "↩️ Undo it" || b[0][1].Text != "Keep it" {
		t.Fatalf("question buttons %+v", b)
	}
	// Someone else's press does nothing; Keep keeps.
	id, data := apptest.Button(t, got, "Undo it")
	if got := h.Press(bob, id, data); apptest.Joined(got) != "This button no longer works." {
		t.Fatalf("foreign press: %q", apptest.Joined(got))
	}
	kept := h.Tap(ann, got, "Keep it")
	if len(kept) != 1 || kept[0].Method != "editMessageText" || kept[0].Text != "Kept: your visit to Acme of Mon 23 Nov 2026 09:00 stays as it is." {
		t.Fatalf("keep: %+v", kept)
	}
	acme := clientNamed(t, h, "North", "Acme")
	if len(visitsOf(t, h, acme)) != 1 {
		t.Fatal("Keep removed the visit")
	}

	// Undo it: the visit goes, the card stays with its grade, contact and plan.
	done := h.Tap(ann, got, "Undo it")
	apptest.MustContain(t, done, "↩️ Undone: the visit to Acme of Mon 23 Nov 2026 09:00.",
		"• Its revisit of Mon 30 Nov 2026 09:00 is cancelled.",
		"• The client card Acme stays: it has a grade or other details, 1 planned visit.")
	if done[0].Method != "editMessageText" {
		t.Fatalf("the question did not turn into the notice: %+v", done)
	}
	acme = clientNamed(t, h, "North", "Acme")
	if acme.Grade != models.GradeB || len(visitsOf(t, h, acme)) != 0 {
		t.Fatalf("card after undo %+v", acme)
	}
	if cs, _ := h.App.DB.Contacts(t.Context(), storage.System, acme.ID); len(cs) != 1 || cs[0].Name != "Li" {
		t.Fatalf("contacts after undo %+v", cs)
	}
	apptest.MustContain(t, h.Send(ann, "/plan"), "Acme")
	apptest.MustContain(t, h.Tap(ann, got, "Undo it"), "This button no longer works.")
	apptest.MustContain(t, h.Send(ann, "/undo"), "Nothing to undo")
}

// Undoing a visit restores what it changed: the client's stage and the
// revisit of the visit before, which it had closed.
func TestUndoRestoresStageAndPreviousRevisit(t *testing.T) {
	h := salesTeam(t)
	h.Send(ann, "/visit Globex; contact")
	h.Clock.Advance(time.Hour)
	h.Send(ann, "/visit Globex; demo")
	got := h.Send(ann, "/undo")
	apptest.MustContain(t, got,
		"Undo your visit to Globex of Mon 23 Nov 2026 10:00?",
		"• Its revisit of Mon 30 Nov 2026 10:00 is cancelled with it.",
		"• Globex's stage goes back from demo / trial to contact.",
		"• The revisit due Mon 30 Nov 2026 09:00, which this visit closed, opens again.")
	mustNotContain(t, got, "client card")
	if c := clientNamed(t, h, "North", "Globex"); c.Stage != models.StageDemo || len(visitsOf(t, h, c)) != 2 {
		t.Fatalf("the question changed something: %+v", c)
	}
	apptest.MustContain(t, h.Tap(ann, got, "Undo it"),
		"• Globex's stage is back to contact (it was demo / trial).",
		"• The revisit due Mon 30 Nov 2026 09:00, which this visit had closed, is open again.")
	if c := clientNamed(t, h, "North", "Globex"); c.Stage != models.StageContact || len(visitsOf(t, h, c)) != 1 {
		t.Fatalf("after undo %+v", c)
	}
	apptest.MustContain(t, h.Send(ann, "/followups"), "Your open follow-ups (1):", "Mon 30 Nov 2026 09:00 · Revisit Globex")

	// A second /undo asks about the first visit; nothing goes without Yes.
	got = h.Send(ann, "/undo")
	apptest.MustContain(t, got, "Undo your visit to Globex of Mon 23 Nov 2026 09:00?",
		"• The client card Globex, which it created, goes too: nothing else is on it.")
	if c := clientNamed(t, h, "North", "Globex"); len(visitsOf(t, h, c)) != 1 {
		t.Fatal("a second /undo took the visit without asking")
	}
}

func TestUndoChinese(t *testing.T) {
	h := salesTeam(t)
	got := h.Send(wei, "/visit 华为; 报价")
	h.Tap(wei, got, "A")
	got = h.Send(wei, "/undo")
	apptest.MustContain(t, got, "撤销你 2026年11月23日 周一 09:00 对 华为 的拜访?", "• 由它新建的客户档案 华为 会保留:里面有分级或其他资料。")
	apptest.MustContain(t, h.Tap(wei, got, "撤销"), "↩️ 已撤销:2026年11月23日 周一 09:00 对 华为 的拜访。", "• 客户档案 华为 保留:里面有分级或其他资料。")
	h.Send(wei, "/objection 小米; 价格")
	got = h.Send(wei, "/undo")
	apptest.MustContain(t, got, "撤销你在 小米 记录的异议", "• 由它新建的客户档案 小米 也会删除:档案里没有别的内容。")
	apptest.MustContain(t, h.Tap(wei, got, "保留"), "已保留:你在 小米 的异议")
}
