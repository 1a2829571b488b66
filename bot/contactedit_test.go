package bot_test

import (
	"strings"
	"testing"

	"salesbot/internal/apptest"
	"salesbot/internal/storage"
)

// Contacts are edited and deleted from the client card (issue 11, item 9):
// a button per contact, a button per field, and Delete asks first. A
// deleted contact leaves the card; the visit that met it still names it.
func TestContactEditAndDeleteFromCard(t *testing.T) {
	testContactEditAndDeleteFromCard(t, salesTeam(t))
}

func testContactEditAndDeleteFromCard(t *testing.T, h *apptest.Harness) {
	apptest.MustContain(t, h.Send(ann, "/visit Acme; met Li (buyer); demo"), "Visit saved — Acme")
	got := h.Send(ann, "/client Acme")
	apptest.MustContain(t, got, "Contacts:", "• Li (buyer)")

	// Title: one step, then the card again.
	got = h.Tap(ann, got, "👤 Li")
	apptest.MustContain(t, got, "👤 Li (buyer) — a contact of Acme. Tap what to change, or Delete.")
	got = h.Tap(ann, got, "Title")
	apptest.MustContain(t, got, "Changing Title of Li", "Their job title?")
	got = h.Send(ann, "Head of IT")
	apptest.MustContain(t, got, "✏️ Contact Li, Head of IT (buyer) of Acme updated.", "• Li (buyer) · Head of IT")

	// Roles: a tapped role that is ticked is taken off.
	got = h.Tap(ann, h.Tap(ann, got, "👤 Li"), "Roles")
	got = h.Tap(ann, got, "✓ buyer")
	got = h.Tap(ann, got, "decision maker")
	got = h.Tap(ann, got, "Done")
	apptest.MustContain(t, got, "updated.", "• Li (decision maker) · Head of IT")

	// Name and phone; a bad phone is asked again.
	got = h.Tap(ann, h.Tap(ann, got, "👤 Li"), "Name")
	got = h.Send(ann, "Li Wei")
	apptest.MustContain(t, got, "• Li Wei (decision maker) · Head of IT")
	got = h.Tap(ann, h.Tap(ann, got, "👤 Li Wei"), "Phone")
	apptest.MustContain(t, h.Send(ann, "call me"), "is not a phone number")
	got = h.Send(ann, "+86 138 0013 8000")
	apptest.MustContain(t, got, "• Li Wei (decision maker) · Head of IT · +86 138 0013 8000")

	// Delete asks first, naming what stays; Keep changes nothing.
	got = h.Tap(ann, h.Tap(ann, got, "👤 Li Wei"), "Delete")
	apptest.MustContain(t, got, "Delete Li Wei, Head of IT (decision maker) · +86 138 0013 8000 from the contacts of Acme?",
		"The visit that met Li Wei keeps naming them.")
	apptest.MustContain(t, h.Tap(ann, got, "Keep"), "stays.")
	acme := clientNamed(t, h, "North", "Acme")
	if cs, _ := h.App.DB.Contacts(t.Context(), storage.System, acme.ID); len(cs) != 1 {
		t.Fatalf("after Keep: %+v", cs)
	}
	confirm := h.Tap(ann, h.Tap(ann, h.Send(ann, "/client Acme"), "👤 Li Wei"), "Delete")
	got = h.Tap(ann, confirm, "Yes, delete")
	apptest.MustContain(t, got, "🗑 Li Wei, Head of IT (decision maker) · +86 138 0013 8000 deleted from the contacts of Acme.")
	if j := apptest.Joined(got); strings.Contains(j, "Contacts:") || strings.Contains(j, "👤") {
		t.Fatalf("the card still lists a contact:\n%s", j)
	}
	if cs, _ := h.App.DB.Contacts(t.Context(), storage.System, acme.ID); len(cs) != 0 {
		t.Fatalf("after Delete: %+v", cs)
	}
	// A second press of the old Delete changes nothing.
	apptest.MustContain(t, h.Tap(ann, confirm, "Yes, delete"), "That contact is gone already")
	// The visit still names who was met.
	apptest.MustContain(t, h.Tap(ann, h.Send(ann, "/client Acme"), "🤝 1"), "Li Wei")
}

func TestContactEditAndDeleteFromCardChinese(t *testing.T) {
	testContactEditAndDeleteFromCardChinese(t, salesTeam(t))
}

func testContactEditAndDeleteFromCardChinese(t *testing.T, h *apptest.Harness) {
	apptest.MustContain(t, h.Send(wei, "/visit 华为; 见了王经理(决策者); 报价"), "拜访已记录")
	got := h.Tap(wei, h.Send(wei, "/client 华为"), "👤 王经理")
	apptest.MustContain(t, got, "👤 王经理(决策者) —— 华为 的联系人。点要修改的一项,或删除。")
	got = h.Tap(wei, got, "职务")
	apptest.MustContain(t, got, "修改 王经理 的职务", "职务?")
	got = h.Send(wei, "总经理")
	apptest.MustContain(t, got, "已更新 华为 的联系人", "• 王经理(决策者) · 总经理")
	got = h.Tap(wei, h.Tap(wei, got, "👤 王经理"), "删除")
	apptest.MustContain(t, got, "从 华为 的联系人中删除吗?", "见过王经理的 1 次拜访仍会记着这个人。")
	got = h.Tap(wei, got, "确定删除")
	apptest.MustContain(t, got, "已把", "从 华为 的联系人中删除。")
	if strings.Contains(apptest.Joined(got), "联系人:") {
		t.Fatalf("still listed:\n%s", apptest.Joined(got))
	}
}

// A command sent while a contact is being changed names the change, not a
// new contact form.
func TestContactEditHeldByACommand(t *testing.T) { testContactEditHeldByACommand(t, salesTeam(t)) }

func testContactEditHeldByACommand(t *testing.T, h *apptest.Harness) {
	h.Send(ann, "/visit Acme; met Li (buyer)")
	got := h.Tap(ann, h.Tap(ann, h.Send(ann, "/client Acme"), "👤 Li"), "Roles")
	got = h.Tap(ann, got, "user")
	apptest.MustContain(t, h.Send(ann, "/plan"), "You are filling in the change to the contact Li. Finish it first")
	h.Send(wei, "/visit 华为; 见了王经理(决策者)")
	h.Tap(wei, h.Tap(wei, h.Send(wei, "/client 华为"), "👤 王经理"), "电话")
	apptest.MustContain(t, h.Send(wei, "/plan"), "对联系人 王经理 的修改")
}

// Undoing the visit that added a contact keeps the card when the contact
// was changed on it since (issue 11, item 1); one deleted from the card
// keeps nothing.
func TestUndoKeepsACardWhoseContactWasEdited(t *testing.T) {
	testUndoKeepsACardWhoseContactWasEdited(t, salesTeam(t))
}

func testUndoKeepsACardWhoseContactWasEdited(t *testing.T, h *apptest.Harness) {
	h.Send(ann, "/visit Acme; met Li (buyer)")
	got := h.Tap(ann, h.Tap(ann, h.Send(ann, "/client Acme"), "👤 Li"), "Title")
	apptest.MustContain(t, h.Send(ann, "CFO"), "updated")
	apptest.MustContain(t, h.Send(ann, "/undo"), "The client card Acme, which it created, stays: it has 1 contact added since.")

	h.Send(ann, "/visit Globex; met Wu (user)")
	got = h.Tap(ann, h.Tap(ann, h.Send(ann, "/client Globex"), "👤 Wu"), "Delete")
	h.Tap(ann, got, "Yes, delete")
	got = h.Send(ann, "/undo")
	apptest.MustContain(t, got, "The client card Globex, which it created, goes too: nothing else is on it.")
}
