package bot_test

import (
	"salesbot/internal/storage"
	"strings"
	"testing"

	"salesbot/internal/apptest"
)

// Errors that point the right way, and words that say the same thing
// everywhere (issue 11, item 13).
func TestErrorsPointTheRightWay(t *testing.T) {
	h := apptest.New(t) // Monday 23 Nov 2026 09:00 UTC
	// The configured admin has no team yet: /help offers /join, and
	// /start says hello, not "welcome back".
	got := h.Send(admin, "/start")
	apptest.MustContain(t, got, "Hello, Ada! Your role: admin.", "Getting started:\n/start", "/join — ")
	if strings.Contains(apptest.Joined(got), "Welcome back") {
		t.Fatalf("first start says welcome back:\n%s", apptest.Joined(got))
	}
	repIn(t, h, bob, "UTC")

	// /help is grouped by what people do; /join is gone once you are in a team.
	help := apptest.Joined(h.Send(bob, "/help"))
	for _, want := range []string{"Getting started:", "Log visits and look up clients:\n/visit", "Follow-ups and reminders:\n/remind",
		"Plans, your week, exports:\n/plan"} {
		if !strings.Contains(help, want) {
			t.Errorf("/help lacks %q:\n%s", want, help)
		}
	}
	for _, not := range []string{"/join", "/digest", "Reports (managers):"} {
		if strings.Contains(help, not) {
			t.Errorf("a rep's /help shows %q:\n%s", not, help)
		}
	}
	apptest.MustContain(t, h.Send(admin, "/help"), "Your team (managers):\n/invite", "Reports (managers):\n/digest", "Admins:\n/newteam")
	apptest.MustContain(t, h.Send(bob, "/start"), "Hello, Bob! Your role: rep in North.")

	for _, c := range []struct{ who, in, want string }{
		{"a", "/digest Nope", "There is no team “Nope” that you manage, and it is not a day either. Your teams: North. For example: /digest North yesterday"},
		{"a", "/week Nope", "There is no team “Nope” that you manage"},
		{"a", "/settings foo bar", "“foo” is not a setting (nor a team of yours: North). The settings are tz, revisit, morning, quiet, daysoff, shared, target, probability and currency"},
		{"a", "/settings North foo bar", "“foo” is not a setting"},
		{"a", "/settings North tz asia/shanghai", "Saved.\nSettings of North:\nTime zone: Asia/Shanghai"},
		{"a", "/schedule digest 18:00", "Saved.\nReports for North"},
		{"a", "/away off", "You are not away, so there is nothing to end."},
		{"b", "/tz america/new_york", "America/New_York"},
		{"b", "/tz europe/nowhere", "is not a time zone I know"},
		{"b", "/plan next mon", "Plan item 1, “mon”, has a day but no client: who will you visit on Mon? Nothing was saved. Example: /plan next mon Acme demo"},
		{"b", "/visit Acme; wechat; demo", "method: WeChat"},
		{"b", "/history Acme", "Acme — history, 1 entry (page 1 of 1)"},
	} {
		who := admin
		if c.who == "b" {
			who = bob
		}
		if got := apptest.Joined(h.Send(who, c.in)); !strings.Contains(got, c.want) {
			t.Errorf("%s:\n%s\nwant %q", c.in, got, c.want)
		}
	}
	h.Send(li, "/join "+invite(t, h, "rep North"))
	apptest.MustContain(t, h.Send(li, "/visit 华为; 微信; 报价"), "方式:微信")
	apptest.MustContain(t, h.Send(li, "/visit 小米; 面谈; 演示"), "面谈")
}

// A quick visit without ";" is read from the end of a known client's name,
// or the bot shows the line with ";" — never a client named after the
// whole line (issue 11, item 8).
func TestQuickVisitWithoutSeparators(t *testing.T) {
	h := apptest.New(t)
	repIn(t, h, li, "Asia/Shanghai")
	apptest.MustContain(t, h.Send(li, "/visit 小米; 演示"), "小米")
	got := h.Send(li, "/visit 小米 见了张工 谈判")
	apptest.MustContain(t, got, "“小米” → 客户 小米", "“见了张工” → 见了 张工", "“谈判” → 业务进度:谈判", "产品演示/试用 → 谈判")
	if strings.Contains(apptest.Joined(got), "新客户 小米 见了张工") {
		t.Fatalf("a client named after the whole line:\n%s", apptest.Joined(got))
	}
	apptest.MustContain(t, h.Send(li, "/visit 大疆 见了王工 报价"), "没有保存", "/visit 大疆; 见了王工; 报价")
	apptest.MustContain(t, h.Send(li, "/clients"), "小米")
	if got := apptest.Joined(h.Send(li, "/clients")); strings.Contains(got, "大疆") || strings.Contains(got, "见了张工") {
		t.Fatalf("clients after the unseparated visits:\n%s", got)
	}
	h.Send(bob, "/join "+invite(t, h, "rep North"))
	apptest.MustContain(t, h.Send(bob, "/visit Acme Corp"), "new client Acme Corp") // a name with a space is still a name
	apptest.MustContain(t, h.Send(bob, "/visit Acme Corp met Wu demo warm"), "“met Wu”", "stage: demo / trial", "attitude: warm")
}

// Contacts keep their titles: words in brackets that are not a role are
// the title, not a dropped note (issue 11, item 5).
func TestContactTitlesAreKept(t *testing.T) {
	h := apptest.New(t)
	repIn(t, h, li, "Asia/Shanghai")
	apptest.MustContain(t, h.Send(li, "/visit 华为; 见了李总(总经理, 决策者); 报价"), "李总(总经理,决策者)")
	h.Send(bob, "/join "+invite(t, h, "rep North"))
	apptest.MustContain(t, h.Send(bob, "/visit Acme; met Wu (Head of IT); demo"), "“met Wu (Head of IT)” → met Wu, Head of IT")
	for client, want := range map[string][2]string{"华为": {"李总", "总经理"}, "Acme": {"Wu", "Head of IT"}} {
		c := clientNamed(t, h, "North", client)
		cs, err := h.App.DB.Contacts(t.Context(), storage.System, c.ID)
		if err != nil || len(cs) != 1 || cs[0].Name != want[0] || cs[0].Title != want[1] {
			t.Fatalf("%s contacts %+v %v", client, cs, err)
		}
		if client == "华为" && (len(cs[0].Roles) != 1 || cs[0].Roles[0] != "decision_maker") {
			t.Fatalf("李总 roles %v", cs[0].Roles)
		}
	}
}

// A number that is not an offered button is not data, and the Skip word is
// the Skip button (issue 11, item 4).
func TestFormNumbersAndSkipWordsAreNotData(t *testing.T) {
	h := apptest.New(t)
	repIn(t, h, bob, "UTC")
	h.Send(bob, "/visit Acme; demo")
	got := h.Send(bob, "/visit")
	apptest.MustContain(t, got, "Which client did you visit?")
	got = h.Send(bob, "7")
	apptest.MustContain(t, got, "There is no button 7: pick 1–1, or type a name.", "Which client did you visit?")
	got = h.Send(bob, "1") // Acme, the one recent client
	apptest.MustContain(t, got, "How did you meet them?")
	got = h.Tap(bob, got, "phone")
	apptest.MustContain(t, got, "Who did you meet?")
	got = h.Send(bob, "9")
	apptest.MustContain(t, got, "There is no button 9")
	if strings.Contains(apptest.Joined(got), "So far: 9") {
		t.Fatalf("9 became a contact:\n%s", apptest.Joined(got))
	}
	got = h.Send(bob, "skip")
	if strings.Contains(apptest.Joined(got), "So far: skip") || !strings.Contains(apptest.Joined(got), "Which stage") {
		t.Fatalf("skip was not the Skip button:\n%s", apptest.Joined(got))
	}
	got = h.Send(bob, "跳过") // the stage step: skipped in either language
	if strings.Contains(apptest.Joined(got), "Please pick one of the buttons") {
		t.Fatalf("跳过 not read as Skip:\n%s", apptest.Joined(got))
	}
}
