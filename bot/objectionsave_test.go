package bot_test

import (
	"strings"
	"testing"

	"salesbot/internal/apptest"
)

// The objection form has Save on every step once the client and category
// are known, as the visit form does (issue 11, items 0 and 6): the words
// and the answer stay optional.
func TestObjectionFormSave(t *testing.T) { testObjectionFormSave(t, salesTeam(t)) }

func testObjectionFormSave(t *testing.T, h *apptest.Harness) {
	got := h.Send(ann, "/objection")
	if strings.Contains(describeButtons(got), "Save") {
		t.Fatalf("Save before the client is known: %s", describeButtons(got))
	}
	got = h.Send(ann, "Globex")
	apptest.MustContain(t, got, "What kind of objection?")
	if strings.Contains(describeButtons(got), "Save") {
		t.Fatalf("Save before the category is known: %s", describeButtons(got))
	}
	got = h.Tap(ann, got, "price")
	apptest.MustContain(t, got, "The client's words, as they said them?")
	got = h.Tap(ann, got, "✓ Save")
	apptest.MustContain(t, got, "✅ Objection saved — Globex: price")
	if os := objectionsOf(t, h, clientNamed(t, h, "North", "Globex")); len(os) != 1 || os[0].Words != "" || os[0].Answer != "" {
		t.Fatalf("stored %+v", os)
	}
	// With the words typed, Save at the answer step keeps them.
	h.Send(ann, "/objection")
	got = h.Send(ann, "Globex")
	got = h.Tap(ann, got, "price")
	got = h.Send(ann, "too dear")
	got = h.Tap(ann, got, "✓ Save")
	apptest.MustContain(t, got, "✅ Objection saved — Globex: price", "Client's words: too dear")
}

func TestObjectionFormSaveChinese(t *testing.T) { testObjectionFormSaveChinese(t, salesTeam(t)) }

func testObjectionFormSaveChinese(t *testing.T, h *apptest.Harness) {
	got := h.Send(wei, "/objection")
	got = h.Send(wei, "华为")
	got = h.Tap(wei, got, "价格")
	got = h.Tap(wei, got, "✓ 保存")
	apptest.MustContain(t, got, "✅ 异议已记录 —— 华为:价格")
}
