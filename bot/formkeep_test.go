package bot_test

import (
	"context"
	"testing"
	"time"

	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
	"salesbot/models"
)

// Issue 11, item 6: a form survives a stray command; Cancel asks once; a
// contact comes off the list one by one with the buttons in their places;
// a form lasts a day and a message after a pause asks to continue it.
func TestFormSurvivesAStrayCommand(t *testing.T) {
	h := salesTeam(t)
	h.Send(ann, "/visit Acme; phone")
	h.Send(ann, "/visit")
	h.Send(ann, "Acme")
	got := h.Send(ann, "/clients")
	apptest.MustContain(t, got, "You are filling in the visit form for Acme. Finish it first, or discard it and run /clients? You have entered:\n• Client: Acme")
	mustNotContain(t, got, "Your clients")
	asked := got
	got = h.Tap(ann, got, "Finish the form first")
	apptest.MustContain(t, got, "How did you meet them?")
	h.Send(ann, "/clients")
	got = h.Tap(ann, got, "phone") // the step's own button answers it
	apptest.MustContain(t, got, "Who did you meet?")
	apptest.MustContain(t, h.Tap(ann, asked, "Discard it, run /clients"), "This button no longer works.")
	got = h.Send(ann, "/followups")
	got = h.Tap(ann, got, "Discard it, run /followups")
	apptest.MustContain(t, got, "Cancelled; nothing was saved. You had entered:\n• Client: Acme\n• Method: phone", "Acme")
	if n := len(visitsOf(t, h, clientNamed(t, h, "North", "Acme"))); n != 1 {
		t.Fatalf("visits %d, want the quick one only", n)
	}
	apptest.MustContain(t, h.Send(ann, "hello"), "I didn't save that")

	// In Chinese.
	h.Send(wei, "/visit")
	h.Send(wei, "华为")
	got = h.Send(wei, "/clients")
	apptest.MustContain(t, got, "你正在填写华为 的拜访表单。先填完,还是放弃它并执行 /clients?")
	got = h.Tap(wei, got, "放弃并执行 /clients")
	apptest.MustContain(t, got, "已取消")
}

func TestFormCancelAsksOnce(t *testing.T) {
	h := salesTeam(t)
	// Nothing entered: Cancel ends it at once.
	got := h.Send(ann, "/visit")
	got = h.Tap(ann, got, "Cancel")
	apptest.MustContain(t, got, "Cancelled; nothing was saved.")
	mustNotContain(t, got, "Discard")

	h.Send(ann, "/visit")
	got = h.Send(ann, "Initech")
	got = h.Tap(ann, got, "Cancel")
	apptest.MustContain(t, got, "Discard the visit form for Initech? Nothing of it will be saved. You have entered:\n• Client: Initech")
	got = h.Tap(ann, got, "Continue the form")
	apptest.MustContain(t, got, "How did you meet them?")
	got = h.Send(ann, "/cancel")
	apptest.MustContain(t, got, "Discard the visit form for Initech?")
	got = h.Tap(ann, got, "Discard it")
	apptest.MustContain(t, got, "Cancelled; nothing was saved. You had entered:\n• Client: Initech")
	apptest.MustContain(t, h.Send(ann, "/cancel"), "There is no form to cancel.")
	tm, _ := h.App.DB.TeamByName(t.Context(), "North")
	if _, err := h.App.DB.ClientByName(t.Context(), tm.ID, "Initech"); models.ErrorCode(err) != models.ENOTFOUND {
		t.Fatalf("a cancelled form created a client: %v", err)
	}

	h.Send(wei, "/visit")
	h.Send(wei, "华为")
	got = h.Send(wei, "/cancel")
	apptest.MustContain(t, got, "放弃华为 的拜访表单?其中的内容都不会保存。")
	got = h.Tap(wei, got, "继续填写")
	apptest.MustContain(t, got, "拜访方式?")
}

// buttonAt is the label of the n-th button (from 1) of the newest message
// with buttons, as the console numbers them.
func buttonAt(t *testing.T, sent []tgfake.Sent, n int) string {
	t.Helper()
	for i := len(sent) - 1; i >= 0; i-- {
		k := 0
		for _, row := range sent[i].Buttons {
			for _, b := range row {
				if k++; k == n {
					return b.Text
				}
			}
		}
		if k > 0 {
			break
		}
	}
	t.Fatalf("no button %d in %+v", n, sent)
	return ""
}

func TestFormContactsComeOffOneByOne(t *testing.T) {
	h := salesTeam(t)
	h.Send(ann, "/visit Acme; met Zhou (buyer), Qian, Sun (user)")
	got := h.Send(ann, "/visit")
	got = h.Tap(ann, got, "Acme")
	got = h.Tap(ann, got, "phone")
	apptest.MustContain(t, got, "Who did you meet?")
	mustNotContain(t, got, "So far")
	// The client's contacts come in name order: Qian, Sun (user), Zhou (buyer).
	if b := buttonAt(t, got, 1); b != "Qian" {
		t.Fatalf("button 1 is %q", b)
	}
	got = h.Send(ann, "3") // Zhou, by number
	got = h.Tap(ann, got, "Qian")
	got = h.Send(ann, "Wu (CFO)")
	apptest.MustContain(t, got, "So far: Zhou (buyer), Qian, Wu, CFO")
	// The buttons keep their numbers: chosen ones are marked, not moved.
	for n, want := range map[int]string{1: "✓ Qian", 2: "Sun (user)", 3: "✓ Zhou (buyer)", 4: "✓ Wu, CFO", 5: "✓ Done"} {
		if b := buttonAt(t, got, n); b != want {
			t.Fatalf("button %d is %q, want %q", n, b, want)
		}
	}
	got = h.Send(ann, "1") // Qian comes off
	apptest.MustContain(t, got, "So far: Zhou (buyer), Wu, CFO")
	if b := buttonAt(t, got, 1); b != "Qian" {
		t.Fatalf("button 1 is %q after taking Qian off", b)
	}
	got = h.Tap(ann, got, "✓ Wu")
	apptest.MustContain(t, got, "So far: Zhou (buyer)")
	mustNotContain(t, got[len(got)-1:], "Wu")
	got = h.Tap(ann, got, "Save")
	apptest.MustContain(t, got, "✅ Visit saved — Acme", "Met: Zhou (buyer)")
	mustNotContain(t, got, "Qian")
}

func TestFormLastsADayAndAsksToContinue(t *testing.T) {
	h := salesTeam(t)
	h.Send(ann, "/visit")
	h.Send(ann, "Acme")
	// Two hours later a message is not taken as the answer without asking.
	h.Clock.Advance(2 * time.Hour)
	got := h.Send(ann, "phone")
	apptest.MustContain(t, got, "You left the visit form for Acme at Mon 23 Nov 2026 09:00, at the question “How did you meet them?”. Continue it, with “phone” as the answer?")
	got = h.Tap(ann, got, "Continue the form")
	apptest.MustContain(t, got, "Who did you meet?")
	// A day idle: the form expires, saying what was entered.
	h.Clock.Advance(23*time.Hour + 59*time.Minute)
	if n, err := h.App.Bot.ExpireForms(context.Background()); err != nil || n != 0 {
		t.Fatalf("expired %d (%v) before a day", n, err)
	}
	h.Clock.Advance(time.Minute)
	n := len(h.Fake.Sent())
	if k, err := h.App.Bot.ExpireForms(context.Background()); err != nil || k != 1 {
		t.Fatalf("expired %d, %v", k, err)
	}
	h.Flush()
	apptest.MustContain(t, h.Fake.SentSince(n), "The form waited 24 hours for an answer and has expired; nothing was saved. You had entered:",
		"• Client: Acme", "• Method: phone")

	// Discarding after a pause: the message held back is answered as text.
	h.Send(wei, "/visit")
	h.Send(wei, "华为")
	h.Clock.Advance(time.Hour)
	got = h.Send(wei, "你好")
	apptest.MustContain(t, got, "离开了华为 的拜访表单", "“你好”将作为这个问题的回答")
	got = h.Tap(wei, got, "放弃")
	apptest.MustContain(t, got, "已取消", "这条消息没有保存")
}
