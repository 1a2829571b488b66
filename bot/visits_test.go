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

var (
	ann = tgfake.User{ID: 301, FirstName: "Ann", Username: "ann", LanguageCode: "en"}
	wei = tgfake.User{ID: 302, FirstName: "Wei", Username: "wei", LanguageCode: "zh-CN"}
	sam = tgfake.User{ID: 303, FirstName: "Sam", Username: "sam", LanguageCode: "en"}
)

// salesTeam starts salesbot with Ann, Wei (in Chinese) and Bob as reps of North and Sam as a
// rep of South; the admin manages every team.
func salesTeam(t *testing.T, opts ...apptest.Option) *apptest.Harness {
	h := apptest.New(t, opts...)
	h.Member(ann, "North", "rep")
	h.Member(wei, "North", "rep")
	h.Member(bob, "North", "rep")
	h.Member(sam, "South", "rep")
	return h
}

func clientNamed(t *testing.T, h *apptest.Harness, team, name string) *models.Client {
	t.Helper()
	tm, err := h.App.DB.TeamByName(t.Context(), team)
	if err != nil {
		t.Fatal(err)
	}
	c, err := h.App.DB.ClientByName(t.Context(), storage.System, tm.ID, name)
	if err != nil {
		t.Fatalf("client %q in %s: %v", name, team, err)
	}
	return c
}

func visitsOf(t *testing.T, h *apptest.Harness, c *models.Client) []*models.Visit {
	t.Helper()
	vs, err := h.App.DB.Visits(t.Context(), storage.VisitFilter{Viewer: storage.System, ClientID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func mustNotContain(t *testing.T, sent []tgfake.Sent, bad string) {
	t.Helper()
	if all := apptest.Joined(sent); strings.Contains(all, bad) {
		t.Fatalf("bot said:\n%s\n\nwant it NOT to contain %q", all, bad)
	}
}

func TestQuickVisitEnglish(t *testing.T) {
	h := salesTeam(t)
	got := h.Send(ann, "/visit Acme; met Li (buyer); demo; warm; next: send quote; brought cake")
	apptest.MustContain(t, got,
		"✅ Visit saved — Acme, Mon 23 Nov 2026 09:00",
		"How I read it:",
		"• “Acme” → new client Acme",
		"• “met Li (buyer)” → met Li (buyer)",
		"• “demo” → stage: demo / trial",
		"• “warm” → attitude: warm",
		"• “next: send quote” → next step: send quote",
		"• “brought cake” → not recognised; kept as a note",
		"Stage: demo / trial",
		"Follow-up: Mon 30 Nov 2026 09:00 (the 7-day rule)",
		"Acme is a new client. Which grade is it?")
	if len(got) != 2 || len(got[0].Buttons) != 1 || got[0].Buttons[0][0].Text != "✏️ Edit" || got[0].Buttons[0][1].Text != "↩️ Undo" {
		t.Fatalf("confirmation buttons: %+v", got)
	}
	c := clientNamed(t, h, "North", "acme")
	vs := visitsOf(t, h, c)
	if len(vs) != 1 {
		t.Fatalf("visits: %d", len(vs))
	}
	v, _ := h.App.DB.Visit(t.Context(), storage.System, vs[0].ID)
	if v.Stage != models.StageDemo || v.Attitude != models.AttitudeWarm || v.NextStep != "send quote" || v.Notes != "brought cake" ||
		v.NextVisitAt != nil || v.NoFollowUp || len(v.ContactIDs) != 1 || !v.At.Equal(apptest.Start) {
		t.Fatalf("stored visit %+v", v)
	}
	contacts, _ := h.App.DB.Contacts(t.Context(), storage.System, c.ID)
	if len(contacts) != 1 || contacts[0].Name != "Li" || contacts[0].Roles[0] != models.RoleBuyer {
		t.Fatalf("contacts %+v", contacts)
	}
	// The grade is asked once; answering sets it.
	got = h.Tap(ann, got, "B — possible client")
	if len(got) != 1 || got[0].Method != "editMessageText" || got[0].Text != "Grade of Acme: B — possible client." {
		t.Fatalf("grade answer: %+v", got)
	}
	if c := clientNamed(t, h, "North", "Acme"); c.Grade != models.GradeB || c.Stage != models.StageDemo {
		t.Fatalf("client %+v", c)
	}
	// One part a line works too, the command on its own line.
	apptest.MustContain(t, h.Send(ann, "/visit\nAcme\nmet Wang (user)\nwarm"), "• “met Wang (user)” → met Wang (user)", "• “warm” → attitude: warm")
	got = h.Send(ann, "/visit acme; phone")
	apptest.MustContain(t, got, "• “acme” → client Acme (B, demo / trial)", "• “phone” → method: phone")
	mustNotContain(t, got, "Which grade")
}

func TestQuickVisitChinese(t *testing.T) {
	h := salesTeam(t)
	apptest.MustContain(t, h.Send(wei, "/tz Asia/Shanghai"), "Asia/Shanghai")
	got := h.Send(wei, "/visit 华为; 见了王经理(决策者); 报价; 热心; 下一步: 发合同; 复访 下周三")
	apptest.MustContain(t, got,
		"✅ 拜访已记录 —— 华为,2026年11月23日 周一 17:00",
		"我是这样理解的:",
		"• “华为” → 新客户 华为",
		"• “见了王经理(决策者)” → 见了 王经理(决策者)",
		"• “报价” → 业务进度:建议书/报价",
		"• “热心” → 客户态度:热心",
		"• “下一步: 发合同” → 下一步:发合同",
		"• “复访 下周三” → 下次拜访:2026年12月2日 周三 09:00",
		"跟进:2026年12月2日 周三 09:00",
		"华为 是新客户。它属于哪个分级?")
	c := clientNamed(t, h, "North", "华为")
	v := visitsOf(t, h, c)[0]
	want := time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC) // 09:00 in Shanghai
	if v.NextVisitAt == nil || !v.NextVisitAt.Equal(want) || v.Stage != models.StageProposal || v.NextStep != "发合同" {
		t.Fatalf("stored %+v", v)
	}
	if got[0].Buttons[0][0].Text != "✏️ 修改" {
		t.Fatalf("buttons in Chinese: %+v", got[0].Buttons)
	}
}
