package bot_test

import (
	"testing"

	"salesbot/internal/apptest"
	"salesbot/models"
)

// Issue 11, item 4: at every choice step a number that is not an offered
// button is refused ("pick 1–N"), a typed word is read as the choice it
// names, Skip at a required step is answered, and a phone is checked.
func TestFormNumbersThatAreNotButtonsAreRefused(t *testing.T) {
	h := salesTeam(t)
	got := h.Send(ann, "/visit")
	got = h.Send(ann, "skip")
	apptest.MustContain(t, got, "This question cannot be skipped: answer it, or Cancel the form.", "Which client did you visit?")
	got = h.Send(ann, "Globex")
	apptest.MustContain(t, got, "How did you meet them?")
	got = h.Send(ann, "17")
	apptest.MustContain(t, got, "There is no button 17: pick 1–", "How did you meet them?")
	got = h.Send(ann, "phone")
	apptest.MustContain(t, got, "Who did you meet?")
	got = h.Tap(ann, got, "Skip")
	apptest.MustContain(t, got, "Which stage did the client reach?")
	got = h.Send(ann, "9")
	apptest.MustContain(t, got, "There is no button 9: pick 1–8, or type a name.")
	got = h.Send(ann, "demo") // the stage's word, not its button label
	apptest.MustContain(t, got, "How was the client's attitude?")
	got = h.Send(ann, "4")
	apptest.MustContain(t, got, "There is no button 4: pick 1–3, or type a name.")
	got = h.Send(ann, "warm")
	apptest.MustContain(t, got, "The agreed next step?")
	got = h.Send(ann, "6")
	apptest.MustContain(t, got, "There is no button 6 here: type your answer in words, or use the buttons.", "The agreed next step?")
	h.Tap(ann, h.Send(ann, "/cancel"), "Discard it")

	// The client card's form: grade, industry and the size.
	got = h.Send(ann, "/client add")
	got = h.Send(ann, "Initech")
	apptest.MustContain(t, got, "Its grade?")
	got = h.Send(ann, "5")
	apptest.MustContain(t, got, "There is no button 5: pick 1–4, or type a name.")
	got = h.Send(ann, "b")
	apptest.MustContain(t, got, "Industry?")
	got = h.Send(ann, "6")
	apptest.MustContain(t, got, "There is no button 6 here", "Industry?")
	got = h.Send(ann, "Software")
	got = h.Tap(ann, got, "Skip") // address
	got = h.Send(ann, "80")       // a size may be a bare number
	for i := 0; i < 2; i++ {      // source, notes
		got = h.Tap(ann, got, "Skip")
	}
	apptest.MustContain(t, got, "✅ Client Initech added.", "Industry: Software", "Size: 80")
	c := clientNamed(t, h, "North", "Initech")
	if c.Grade != models.GradeB || c.Industry != "Software" || c.Address != "" || c.Size != "80" {
		t.Fatalf("stored %+v", c)
	}

	// A contact's phone is checked, with an example.
	card := h.Send(ann, "/client Initech")
	got = h.Tap(ann, card, "Contact")
	got = h.Send(ann, "Zhou (buyer)")
	got = h.Send(ann, "Head of purchasing")
	apptest.MustContain(t, got, "Their phone number?")
	got = h.Send(ann, "Wu")
	apptest.MustContain(t, got, "“Wu” is not a phone number", "e.g. +86 138 0013 8000", "Their phone number?")
	got = h.Send(ann, "7")
	apptest.MustContain(t, got, "“7” is not a phone number")
	got = h.Send(ann, "+86 138 0013 8000")
	apptest.MustContain(t, got, "✅ Contact Zhou (buyer) added to Initech.")
	cs, _ := h.App.DB.Contacts(t.Context(), c.ID)
	if len(cs) != 1 || cs[0].Phone != "+86 138 0013 8000" {
		t.Fatalf("contacts %+v", cs)
	}
}

func TestFormNumbersThatAreNotButtonsAreRefusedChinese(t *testing.T) {
	h := salesTeam(t)
	h.Send(wei, "/visit")
	got := h.Send(wei, "跳过")
	apptest.MustContain(t, got, "这一项不能跳过:请回答,或取消表单。")
	got = h.Send(wei, "华为")
	got = h.Send(wei, "12")
	apptest.MustContain(t, got, "没有第 12 个按钮:请选 1–")
	got = h.Send(wei, "电话")
	got = h.Send(wei, "跳过")
	got = h.Send(wei, "9")
	apptest.MustContain(t, got, "没有第 9 个按钮:请选 1–8,或输入名称。")
	got = h.Send(wei, "报价")
	apptest.MustContain(t, got, "客户态度")
	got = h.Send(wei, "热心")
	got = h.Send(wei, "6")
	apptest.MustContain(t, got, "这里没有第 6 个按钮:请用文字回答,或使用按钮。")
}
