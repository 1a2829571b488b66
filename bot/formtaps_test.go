package bot_test

import (
	"strings"
	"testing"

	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
	"salesbot/models"
)

// rep walks the visit form the way a rep logs a typical visit (client,
// method, the contact met, stage, attitude, next step, save), answering
// whatever the form asks and counting every message and tap. The same
// walk ran 11 steps before the form had Save, a pre-chosen only contact
// and the next step right after the attitude (issue 11, item 0).
type rep struct {
	t    *testing.T
	h    *apptest.Harness
	u    tgfake.User
	taps int
	got  []tgfake.Sent
}

func (w *rep) send(text string) { w.taps++; w.got = w.h.Send(w.u, text) }
func (w *rep) tap(label string) { w.taps++; w.got = w.h.Tap(w.u, w.got, label) }

func (w *rep) has(label string) bool {
	for _, s := range w.got {
		for _, row := range s.Buttons {
			for _, b := range row {
				if strings.Contains(b.Text, label) {
					return true
				}
			}
		}
	}
	return false
}

// logVisit answers the form until the visit is saved; met is the contact
// to choose, stage the stage's button (or a typed stage and attitude).
func (w *rep) logVisit(client, method, met, stage, attitude, next string) {
	w.t.Helper()
	w.send("/visit")
	for i := 0; i < 20; i++ {
		text := ""
		if len(w.got) > 0 {
			text = w.got[len(w.got)-1].Text // the newest question
		}
		switch {
		case strings.Contains(text, "✅ Visit saved"):
			return
		case strings.Contains(text, "Which client"):
			w.tap(client)
		case strings.Contains(text, "How did you meet"):
			w.tap(method)
		case strings.Contains(text, "Who did you meet?"):
			if strings.Contains(text, "So far: "+met) {
				w.tap("Done")
			} else {
				w.tap(met)
			}
		case strings.Contains(text, "Which stage"):
			if attitude == "" {
				w.send(stage) // stage and attitude in one answer
			} else {
				w.tap(stage)
			}
		case strings.Contains(text, "attitude"):
			w.tap(attitude)
		case strings.Contains(text, "The agreed next step"):
			w.send(next)
		case w.has("Save"):
			w.tap("Save")
		case strings.Contains(text, "When should you call"):
			w.tap("In 1 week")
		default:
			w.tap("Skip")
		}
	}
	w.t.Fatalf("the form did not end:\n%s", apptest.Joined(w.got))
}

func TestTypicalVisitInEightTaps(t *testing.T) {
	h := salesTeam(t)
	h.Send(ann, "/visit Acme; met Zhou (buyer)")
	h.Send(ann, "/visit Globex; met Li (buyer), Wang (user)")

	// A client with one contact: it is chosen already.
	w := &rep{t: t, h: h, u: ann}
	w.logVisit("Acme", "in person", "Zhou", "4. demo / trial", "warm", "send the quote")
	apptest.MustContain(t, w.got, "✅ Visit saved — Acme", "Met: Zhou (buyer)", "Attitude: warm", "Next step: send the quote",
		"Stage: demo / trial", "Follow-up: Mon 30 Nov 2026 09:00 (the 7-day rule)")
	if w.taps > 8 {
		t.Errorf("a typical visit took %d taps, want at most 8", w.taps)
	}
	t.Logf("typical visit, a client with one contact: %d taps", w.taps)
	v, _ := h.App.DB.Visit(t.Context(), visitsOf(t, h, clientNamed(t, h, "North", "Acme"))[0].ID)
	if v.Method != models.MethodInPerson || v.Stage != models.StageDemo || v.Attitude != models.AttitudeWarm ||
		v.NextStep != "send the quote" || len(v.ContactIDs) != 1 || v.NoFollowUp || v.NextVisitAt != nil {
		t.Fatalf("stored %+v", v)
	}

	// A client with two contacts: a tap for the one met, and the stage and
	// attitude typed together.
	w = &rep{t: t, h: h, u: ann}
	w.logVisit("Globex", "phone", "Li", "proposal warm", "", "send samples")
	apptest.MustContain(t, w.got, "✅ Visit saved — Globex", "Met: Li (buyer)", "Attitude: warm", "Next step: send samples")
	if w.taps > 8 {
		t.Errorf("a visit with a contact out of two took %d taps, want at most 8", w.taps)
	}
	t.Logf("typical visit, a client with two contacts: %d taps", w.taps)
	v, _ = h.App.DB.Visit(t.Context(), visitsOf(t, h, clientNamed(t, h, "North", "Globex"))[0].ID)
	if v.Stage != models.StageProposal || v.Attitude != models.AttitudeWarm || len(v.ContactIDs) != 1 {
		t.Fatalf("stored %+v", v)
	}
}

// The Save button and the stage with the attitude, in Chinese.
func TestTypicalVisitChinese(t *testing.T) {
	h := salesTeam(t)
	h.Send(wei, "/visit 华为; 见了李总(决策者)")
	got := h.Send(wei, "/visit")
	got = h.Tap(wei, got, "华为")
	got = h.Tap(wei, got, "面谈")
	apptest.MustContain(t, got, "李总(决策者)")
	apptest.Button(t, got, "✓ 保存")
	got = h.Send(wei, "完成") // the Done button's word, not a person named 完成
	apptest.MustContain(t, got, "客户到了哪个业务进度?")
	got = h.Send(wei, "报价 热心")
	apptest.MustContain(t, got, "下一步")
	got = h.Tap(wei, got, "返回") // back to the stage: its button number with the attitude
	got = h.Send(wei, "5 热心")
	apptest.MustContain(t, got, "下一步")
	got = h.Send(wei, "发报价单")
	got = h.Send(wei, "保存") // the Save button's word
	apptest.MustContain(t, got, "✅ 拜访已记录", "华为", "李总(决策者)", "热心", "发报价单")
}
