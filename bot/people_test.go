package bot_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	tgmodels "github.com/go-telegram/bot/models"

	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
)

var (
	admin    = apptest.Admin
	li       = tgfake.User{ID: 201, FirstName: "Li", LastName: "Wei", Username: "liwei", LanguageCode: "zh-hans"}
	bob      = tgfake.User{ID: 202, FirstName: "Bob", Username: "bob", LanguageCode: "en-US"}
	stranger = tgfake.User{ID: 999, FirstName: "Eve", LanguageCode: "en"}
	codeRE   = regexp.MustCompile(`Code: ([A-Z0-9]+)`)
)

// invite has the admin create a team (once) and an invite; it returns the code.
func invite(t *testing.T, h *apptest.Harness, args string) string {
	t.Helper()
	if _, err := h.App.DB.TeamByName(t.Context(), "North"); err != nil {
		apptest.MustContain(t, h.Send(admin, "/newteam North"), "Team North created")
	}
	got := h.Send(admin, "/invite "+args)
	m := codeRE.FindStringSubmatch(apptest.Joined(got))
	if m == nil {
		t.Fatalf("no invite code in %q", apptest.Joined(got))
	}
	return m[1]
}

func TestStrangerGetsOnlyHowToJoin(t *testing.T) {
	h := apptest.New(t)
	for _, text := range []string{"/start", "/help", "/team", "hello", "/invite rep"} {
		got := h.Send(stranger, text)
		if len(got) != 1 || !strings.HasPrefix(got[0].Text, "Hi! salesbot is for invited sales teams") || len(got[0].Buttons) != 0 {
			t.Fatalf("stranger %q got %q", text, apptest.Texts(got))
		}
	}
	if n, _ := h.App.DB.CountUsers(t.Context()); n != 0 {
		t.Fatalf("strangers must not be stored; users = %d", n)
	}
}

func TestOnboardingWithInvite(t *testing.T) {
	h := apptest.New(t)
	code := invite(t, h, "rep North")
	inviteText := apptest.Joined(h.Fake.SentTo(admin.ID))
	apptest.MustContain(t, h.Fake.SentTo(admin.ID), "Invite to North as rep",
		"valid until Mon 30 Nov 2026 09:00", "https://t.me/salesbot_test_bot?start="+code)
	_ = inviteText

	// Li's Telegram is in Chinese: the welcome is in Chinese.
	got := h.Send(li, "/join "+strings.ToLower(code))
	apptest.MustContain(t, got, "欢迎加入 North,Li Wei!你的角色是销售代表。", "/help — 命令列表")
	if strings.Contains(apptest.Joined(got), "/invite") {
		t.Fatalf("a rep's help lists /invite:\n%s", apptest.Joined(got))
	}
	// The admin hears about it.
	apptest.MustContain(t, h.Fake.SentTo(admin.ID), "Li Wei joined North as rep.")

	// The code worked once.
	apptest.MustContain(t, h.Send(bob, "/join "+code), "That invite code was used already")
	apptest.MustContain(t, h.Send(bob, "/join NOTACODE"), "That invite code is unknown", "/join K7M2QX9PAB")
	apptest.MustContain(t, h.Send(bob, "/join"), "Hi! salesbot is for invited sales teams")

	// Roles: a rep cannot invite.
	apptest.MustContain(t, h.Send(li, "/invite rep"), "/invite 仅限经理使用。")

	// The team list shows both, with roles.
	got = h.Send(admin, "/team North")
	apptest.MustContain(t, got, "North — 1 member:", "1. Li Wei (@liwei) — rep, last active Mon 23 Nov 2026 09:00")
}

func TestDeepLinkStartJoinsAndManagerInvites(t *testing.T) {
	h := apptest.New(t)
	code := invite(t, h, "manager North")
	apptest.MustContain(t, h.Send(bob, "/start "+code), "Welcome to North, Bob! You joined as manager.")
	// A manager invites to their own team without naming it.
	got := h.Send(bob, "/invite")
	apptest.MustContain(t, got, "Invite to North as rep")
	apptest.MustContain(t, h.Send(bob, "/invite boss"), "“boss” is not a role: use rep or manager. Example: /invite manager")
	apptest.MustContain(t, h.Send(bob, "/newteam South"), "/newteam is for admins only.")
}

func TestExpiredInviteIsRefused(t *testing.T) {
	h := apptest.New(t)
	code := invite(t, h, "rep North")
	h.Clock.Advance(7*24*time.Hour + time.Minute)
	apptest.MustContain(t, h.Send(bob, "/join "+code), "That invite code expired on Mon 30 Nov 2026 09:00")
}

func TestDeactivatedUserIsRefusedAndDataStays(t *testing.T) {
	h := apptest.New(t)
	h.Send(bob, "/start "+invite(t, h, "rep North"))
	apptest.MustContain(t, h.Send(admin, "/deactivate bob"), "Bob is deactivated. Their clients and visits stay with North.")
	got := h.Send(bob, "/help")
	if len(got) != 1 || !strings.HasPrefix(got[0].Text, "Hi! salesbot is for invited sales teams") {
		t.Fatalf("deactivated user got %q", apptest.Texts(got))
	}
	apptest.MustContain(t, h.Send(admin, "/team North"), "1. Bob (@bob) — rep, deactivated")
	apptest.MustContain(t, h.Send(admin, "/deactivate nobody"), "No member “nobody” in North")
	apptest.MustContain(t, h.Send(admin, "/deactivate"), "Usage: /deactivate NAME", "Example: /deactivate @li")
}

func TestPromote(t *testing.T) {
	h := apptest.New(t)
	h.Send(bob, "/start "+invite(t, h, "rep North"))
	apptest.MustContain(t, h.Send(admin, "/promote @bob"), "Bob is now manager in North.")
	apptest.MustContain(t, h.Send(bob, "/invite"), "Invite to North as rep")
	apptest.MustContain(t, h.Send(admin, "/promote 1 rep"), "Bob is now rep in North.")
	apptest.MustContain(t, h.Send(bob, "/invite"), "/invite is for managers only.")
}

// A manager of one team who is only a rep in another may not invite to,
// change or read the history of that other team; nothing changes there.
func TestManagerActsOnlyOnTeamsTheyManage(t *testing.T) {
	h := apptest.New(t)
	h.Member(bob, "North", "manager")
	h.Member(bob, "South", "rep")
	for _, text := range []string{"/invite rep South", "/settings South revisit 3", "/settings South", "/team history South"} {
		got := h.Send(bob, text)
		if apptest.Joined(got) != "You can only manage members of your own teams." {
			t.Fatalf("%s: got %q", text, apptest.Texts(got))
		}
	}
	south, err := h.App.DB.TeamByName(t.Context(), "South")
	if err != nil {
		t.Fatal(err)
	}
	if south.RevisitDays == 3 {
		t.Fatal("a rep of South changed its settings")
	}
	apptest.MustContain(t, h.Send(bob, "/invite rep North"), "Invite to North as rep")
}

func TestLanguageSwitch(t *testing.T) {
	h := apptest.New(t)
	h.Send(bob, "/start "+invite(t, h, "rep North"))
	apptest.MustContain(t, h.Send(bob, "/lang zh"), "语言已切换为中文。")
	apptest.MustContain(t, h.Send(bob, "/help"), "你可以使用:")
	apptest.MustContain(t, h.Send(bob, "/lang fr"), "我会说英语(en)和中文(zh)。例如:/lang en")

	// The button way: the question is edited into the answer.
	got := h.Send(bob, "/lang")
	if len(got) != 1 || len(got[0].Buttons) != 1 || len(got[0].Buttons[0]) != 2 {
		t.Fatalf("/lang buttons: %+v", got)
	}
	if b := got[0].Buttons[0][0]; b.Text != "English" || b.Data != "lang:en" {
		t.Fatalf("first button %+v", b)
	}
	pressed := h.Press(bob, got[0].MessageID, "lang:en")
	if len(pressed) != 1 || pressed[0].Method != "editMessageText" || pressed[0].Text != "Language set to English." {
		t.Fatalf("press: %+v", pressed)
	}
	msgs := h.Fake.Messages(bob.ID)
	if last := msgs[len(msgs)-1]; last.Text != "Language set to English." || len(last.Buttons) != 0 {
		t.Fatalf("chat now shows %+v", last)
	}
}

func TestBadInputAnswersWithExample(t *testing.T) {
	h := apptest.New(t)
	cases := map[string]string{
		"/newteam":                            "Usage: /newteam NAME. Example: /newteam North China",
		"/frobnicate":                         "I don't know /frobnicate. Send /help",
		"/tz Mars/Olympus":                    "“Mars/Olympus” is not a time zone I know. Example: /tz Europe/Berlin",
		"/invite rep Nope":                    "There is no team “Nope”.",
		"just text":                           "I didn't save that",
		"/promote":                            "Usage: /promote NAME [manager|rep]. Example: /promote @li manager",
		"/newteam " + strings.Repeat("x", 65): "Team names can have at most 64 characters.",
	}
	for in, want := range cases {
		apptest.MustContain(t, h.Send(admin, in), want)
	}
}

func TestTimeZone(t *testing.T) {
	h := apptest.New(t)
	apptest.MustContain(t, h.Send(admin, "/tz Asia/Shanghai"), "Time zone set to Asia/Shanghai; it is Mon 23 Nov 2026 17:00 there.")
	apptest.MustContain(t, h.Send(admin, "/tz"), "Your time zone is Asia/Shanghai")
}

func TestPanicIsRecovered(t *testing.T) {
	h := apptest.New(t)
	h.App.TG.RegisterHandler(tgbot.HandlerTypeMessageText, "/boom", tgbot.MatchTypeExact,
		func(_ context.Context, _ *tgbot.Bot, _ *tgmodels.Update) { panic("boom") })
	apptest.MustContain(t, h.Send(admin, "/boom"), "Sorry, something went wrong on my side")
	if !strings.Contains(h.Log.String(), "handler panicked") || !strings.Contains(h.Log.String(), "update_id=1") {
		t.Fatalf("panic not logged with its update id:\n%s", h.Log.String())
	}
	// The bot goes on.
	apptest.MustContain(t, h.Send(admin, "/help"), "What you can do:")
}

func TestCommandMenuRegistered(t *testing.T) {
	h := apptest.New(t)
	h.Send(admin, "/help") // the menu is set before polling starts
	var names []string
	for _, c := range h.Fake.Commands() {
		names = append(names, c.Command)
	}
	if got := strings.Join(names, " "); got != "start help cancel join lang tz team visit objection undo client clients history objections deal deals remind followups done snooze away plan me target pipeline month export" {
		t.Fatalf("command menu = %q", got)
	}
	zh := h.Fake.CommandsFor("zh")
	if len(zh) == 0 || zh[1].Description != "命令列表" {
		t.Fatalf("zh menu = %+v", zh)
	}
}

func TestTokenNeverLogged(t *testing.T) {
	h := apptest.New(t)
	h.Fake.FailNext("getUpdates", tgfake.ServerError())
	h.Fake.FailNext("sendMessage", tgfake.ServerError())
	h.Send(admin, "/help")
	h.Stop()
	if strings.Contains(h.Log.String(), "test-token") {
		t.Fatalf("token in log:\n%s", h.Log.String())
	}
}

// The same onboarding on PostgreSQL (skipped when it is not configured).
func TestOnboardingOnPostgres(t *testing.T) {
	h := apptest.New(t, apptest.Postgres(t))
	code := invite(t, h, "rep North")
	apptest.MustContain(t, h.Send(bob, "/join "+code), "Welcome to North, Bob! You joined as rep.")
	apptest.MustContain(t, h.Send(li, "/join "+code), "使用")
	apptest.MustContain(t, h.Send(admin, "/team North"), "1. Bob (@bob) — rep")
}
