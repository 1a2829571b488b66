package bot_test

import (
	"testing"
	"time"

	"salesbot/internal/apptest"
)

// A half-filled form outlives a restart: the next message after the pause
// asks "continue your visit to Acme?" (issue 11, item 6), and continuing
// answers the question with it.
func TestFormContinuesAfterRestart(t *testing.T) { testFormContinuesAfterRestart(t, salesTeam(t)) }

func testFormContinuesAfterRestart(t *testing.T, h *apptest.Harness) {
	h.Send(ann, "/visit")
	h.Send(ann, "Acme")
	h.Send(wei, "/visit")
	h.Send(wei, "华为")
	h.Restart()
	h.Clock.Advance(3 * time.Hour)
	got := h.Send(ann, "phone")
	apptest.MustContain(t, got, "You left the visit form for Acme at Mon 23 Nov 2026 09:00", "Continue it, with “phone” as the answer?")
	got = h.Tap(ann, got, "Continue the form")
	apptest.MustContain(t, got, "Who did you meet?")
	got = h.Tap(ann, got, "Save")
	apptest.MustContain(t, got, "✅ Visit saved — Acme", "Method: phone")

	got = h.Send(wei, "电话")
	apptest.MustContain(t, got, "离开了华为 的拜访表单", "“电话”将作为这个问题的回答")
	got = h.Tap(wei, got, "继续")
	got = h.Tap(wei, got, "保存")
	apptest.MustContain(t, got, "✅ 拜访已记录 —— 华为", "电话")
}
