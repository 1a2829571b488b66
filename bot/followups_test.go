package bot_test

import (
	"context"
	"fmt"
	"salesbot/internal/storage"
	"strings"
	"testing"
	"time"

	"salesbot/internal/app"
	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
	"salesbot/models"
)

// repIn has the admin create North in zone tz (if needed) and u join it as
// a rep; it returns the stored user.
func repIn(t *testing.T, h *apptest.Harness, u tgfake.User, tz string) *models.User {
	t.Helper()
	code := invite(t, h, "rep North")
	apptest.MustContain(t, h.Send(admin, "/settings North tz "+tz), "Time zone: "+tz)
	h.Send(u, "/join "+code)
	got, err := h.App.DB.UserByTelegramID(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// logVisit logs a visit by the quick command at the clock's time and
// returns the revisit follow-up it made.
func logVisit(t *testing.T, h *apptest.Harness, u tgfake.User, text string) *models.FollowUp {
	t.Helper()
	got := h.Send(u, "/visit "+text)
	apptest.MustContain(t, got, "Visit saved")
	rep, err := h.App.DB.UserByTelegramID(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	open, err := h.App.DB.OpenFollowUps(context.Background(), rep)
	if err != nil || len(open) == 0 {
		t.Fatalf("no open follow-up after /visit %s: %v", text, err)
	}
	newest := open[0]
	for _, f := range open {
		if f.ID > newest.ID {
			newest = f
		}
	}
	return newest
}

// sentMessages are the new messages (not edits) in a chat whose text has s.
func sentMessages(h *apptest.Harness, chat int64, s string) []tgfake.Sent {
	var out []tgfake.Sent
	for _, m := range h.Fake.SentTo(chat) {
		if m.Method == "sendMessage" && strings.Contains(m.Text, s) {
			out = append(out, m)
		}
	}
	return out
}

func lastSent(t *testing.T, h *apptest.Harness, chat int64) tgfake.Sent {
	t.Helper()
	all := h.Fake.SentTo(chat)
	if len(all) == 0 {
		t.Fatal("nothing sent")
	}
	return all[len(all)-1]
}

func tick(t *testing.T, h *apptest.Harness, wantSent int) {
	t.Helper()
	if st := h.Tick(); st.Sent != wantSent {
		t.Fatalf("tick at %v sent %d, want %d (%+v)\nlog:\n%s", h.Clock.Now(), st.Sent, wantSent, st, h.Log.String())
	}
}

func buttonData(rows [][]tgfake.Button) [][]string {
	var out [][]string
	for _, row := range rows {
		var r []string
		for _, b := range row {
			r = append(r, b.Text+"="+b.Data)
		}
		out = append(out, r)
	}
	return out
}

// The walk-through: a visit Monday 15:00 in Shanghai makes a
// follow-up for next Monday 15:00; when the clock gets there the message
// with buttons arrives; Snooze 1 h brings it back an hour later; Done ends it.
func TestRevisitFollowUpWalkThrough(t *testing.T) {
	h := apptest.New(t)
	repIn(t, h, bob, "Asia/Shanghai")
	h.Clock.Set(time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)) // Monday 15:00 in Shanghai
	got := h.Send(bob, "/visit Acme Corp; demo; warm; next: send the quote")
	apptest.MustContain(t, got, "✅ Visit saved — Acme Corp, Mon 23 Nov 2026 15:00", "Follow-up: Mon 30 Nov 2026 15:00 (the 7-day rule)")
	rep, _ := h.App.DB.UserByTelegramID(context.Background(), bob.ID)
	open, _ := h.App.DB.OpenFollowUps(context.Background(), rep)
	if len(open) != 1 {
		t.Fatalf("open follow-ups %d", len(open))
	}
	f := open[0]

	got = h.Send(bob, "/followups")
	apptest.MustContain(t, got, "Your open follow-ups (1):", "Later\n1. Mon 30 Nov 2026 15:00 · Revisit Acme Corp — send the quote")
	if b := got[0].Buttons; len(b) != 1 || b[0][0].Data != fmt.Sprintf("fl:d:%d", f.ID) {
		t.Fatalf("list buttons %v", buttonData(b))
	}

	tick(t, h, 0)
	h.Clock.Set(time.Date(2026, 11, 30, 6, 59, 0, 0, time.UTC))
	tick(t, h, 0)
	h.Clock.Set(time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC))
	tick(t, h, 1)
	msg := lastSent(t, h, bob.ID)
	want := "🔔 Time to follow up with Acme Corp: call or visit to hear their view of your last visit.\nAgreed next step: send the quote"
	if msg.Method != "sendMessage" || msg.Text != want {
		t.Fatalf("follow-up message %s %q, want %q", msg.Method, msg.Text, want)
	}
	id := f.ID
	wantButtons := [][]string{
		{fmt.Sprintf("✅ Done=fu:d:%d", id), fmt.Sprintf("⏰ 1 hour=fu:h:%d", id)},
		{fmt.Sprintf("🌅 Tomorrow morning=fu:m:%d", id), fmt.Sprintf("📅 Next week=fu:w:%d", id)},
		{fmt.Sprintf("📝 Log visit=fu:v:%d", id)},
	}
	if fmt.Sprint(buttonData(msg.Buttons)) != fmt.Sprint(wantButtons) {
		t.Fatalf("buttons %v, want %v", buttonData(msg.Buttons), wantButtons)
	}

	// Snooze 1 h: the message turns into a record of it.
	pressed := h.Press(bob, msg.MessageID, fmt.Sprintf("fu:h:%d", id))
	if len(pressed) != 1 || pressed[0].Method != "editMessageText" || pressed[0].MessageID != msg.MessageID ||
		pressed[0].Text != want+"\n💤 Snoozed until Mon 30 Nov 2026 16:00" || pressed[0].Buttons != nil {
		t.Fatalf("after snooze: %+v", pressed)
	}
	tick(t, h, 0)
	h.Clock.Advance(59 * time.Minute)
	tick(t, h, 0)
	h.Clock.Advance(time.Minute)
	tick(t, h, 1)
	again := lastSent(t, h, bob.ID)
	if again.Method != "sendMessage" || again.MessageID == msg.MessageID || again.Text != want || len(again.Buttons) != 3 {
		t.Fatalf("snoozed follow-up again: %+v", again)
	}

	// Done: recorded, and never sent again.
	pressed = h.Press(bob, again.MessageID, fmt.Sprintf("fu:d:%d", id))
	if len(pressed) != 1 || pressed[0].Text != want+"\n✅ Done Mon 30 Nov 2026 16:00" {
		t.Fatalf("after done: %+v", pressed)
	}
	stored, _ := h.App.DB.FollowUp(context.Background(), storage.System, id)
	if stored.State != models.FollowUpDone || len(stored.Snoozes) != 1 {
		t.Fatalf("stored: %s with %d snoozes", stored.State, len(stored.Snoozes))
	}
	h.Clock.Advance(8 * 24 * time.Hour)
	tick(t, h, 0)
	if n := len(sentMessages(h, bob.ID, "Time to follow up")); n != 2 {
		t.Fatalf("the follow-up went out %d times, want 2 (due, then after the snooze)", n)
	}
	apptest.MustContain(t, h.Send(bob, "/followups"), "No open follow-ups.")
}

// Down while it fell due: sent once at start, marked late; restarts and
// ticks after that send nothing more.
func TestRestartWhileDueSendsOnceMarkedLate(t *testing.T) {
	h := apptest.New(t)
	repIn(t, h, bob, "UTC")
	got := h.Send(bob, "/remind tomorrow 10:00 call Li")
	apptest.MustContain(t, got, "⏰ Reminder set for Tue 24 Nov 2026 10:00:\ncall Li")
	h.Stop()
	h.Clock.Set(time.Date(2026, 11, 24, 13, 0, 0, 0, time.UTC))
	h.Restart()
	sent := sentMessages(h, bob.ID, "Reminder: call Li")
	if len(sent) != 1 || sent[0].Text != "🔔 Reminder: call Li\n(late — it was due Tue 24 Nov 2026 10:00)" {
		t.Fatalf("after restart: %+v", sent)
	}
	tick(t, h, 0)
	h.Restart()
	tick(t, h, 0)
	if n := len(sentMessages(h, bob.ID, "Reminder: call Li")); n != 1 {
		t.Fatalf("sent %d times", n)
	}
}

// A 429 with retry_after: all sending pauses that long, then the message
// goes, once.
func TestTooManyRequestsIsWaitedOut(t *testing.T) {
	h := apptest.New(t)
	repIn(t, h, bob, "UTC")
	h.Send(bob, "/remind in 1 hour ping Acme")
	h.Fake.FailNext("sendMessage", tgfake.TooManyRequests(5))
	h.Clock.Advance(time.Hour)
	slept := len(h.Pace.Slept())
	tick(t, h, 1)
	calls := h.Fake.Calls("sendMessage")
	if n := len(calls); n < 2 || calls[n-2].Status != 429 || calls[n-1].Status != 200 {
		t.Fatalf("calls: %+v", calls)
	}
	// The outbox waited (on its pacing clock) at least the retry_after
	// between the 429 and the retry.
	var waited time.Duration
	for _, w := range h.Pace.Slept()[slept:] {
		waited += w
	}
	if waited < 5*time.Second {
		t.Fatalf("waited %v, want at least the 5 s retry_after", waited)
	}
	if n := len(sentMessages(h, bob.ID, "Reminder: ping Acme")); n != 1 {
		t.Fatalf("delivered %d times", n)
	}
}

// The user blocked the bot: one attempt, they are marked unreachable, the
// follow-up waits; their manager sees it; when they write again it goes.
func TestBlockedUserIsHeldUntilBack(t *testing.T) {
	h := apptest.New(t)
	repIn(t, h, bob, "UTC")
	h.Send(bob, "/remind in 1 hour ping Acme")
	h.Fake.Block(bob.ID)
	h.Clock.Advance(time.Hour)
	if st := h.Tick(); st.Held != 1 || st.Sent != 0 || st.Retried != 0 {
		t.Fatalf("tick: %+v", st)
	}
	forbidden := 0
	for _, c := range h.Fake.Calls("sendMessage") {
		if c.ChatID == bob.ID && c.Status == 403 {
			forbidden++
		}
	}
	if forbidden != 1 {
		t.Fatalf("%d attempts at a blocked user, want 1", forbidden)
	}
	h.Clock.Advance(time.Hour)
	tick(t, h, 0)
	apptest.MustContain(t, h.Send(admin, "/followups team"), "Overdue follow-ups in North (1):",
		"1. Bob — Mon 23 Nov 2026 10:00 · ping Acme", "Can't be reached (they blocked the bot): Bob")

	h.Fake.Unblock(bob.ID)
	h.Send(bob, "/help")
	tick(t, h, 1)
	if sent := sentMessages(h, bob.ID, "Reminder: ping Acme"); len(sent) != 1 ||
		!strings.Contains(sent[0].Text, "(late — it was due Mon 23 Nov 2026 10:00)") {
		t.Fatalf("after coming back: %+v", sent)
	}
	apptest.MustContain(t, h.Send(admin, "/followups team"), "Overdue follow-ups in North (1):")
	if strings.Contains(apptest.Joined(h.Send(admin, "/followups team")), "Can't be reached") {
		t.Fatal("Bob is reachable again")
	}
}

// New York springs forward on 8 March 2026. Revisits keep their local time
// across it, land outside quiet hours and days off, and a late one waits
// for the next working morning; the rep's own 22:00 goes at 22:00.
func TestQuietHoursAndDSTInNewYork(t *testing.T) {
	h := apptest.New(t)
	repIn(t, h, bob, "America/New_York")

	// Friday 6 March 16:00 EST (21:00 UTC) → Friday 13 March 16:00 EDT (20:00 UTC).
	h.Clock.Set(time.Date(2026, 3, 6, 21, 0, 0, 0, time.UTC))
	fri := logVisit(t, h, bob, "Acme Corp")
	if want := time.Date(2026, 3, 13, 20, 0, 0, 0, time.UTC); !fri.DueAt.Equal(want) {
		t.Fatalf("Friday revisit due %v, want %v", fri.DueAt, want)
	}
	// Saturday 7 March 21:30 EST: a week on is Saturday night, quiet and
	// a day off → Monday 16 March 09:00 EDT (13:00 UTC).
	h.Clock.Set(time.Date(2026, 3, 8, 2, 30, 0, 0, time.UTC))
	sat := logVisit(t, h, bob, "Beta Ltd")
	if want := time.Date(2026, 3, 16, 13, 0, 0, 0, time.UTC); !sat.DueAt.Equal(want) {
		t.Fatalf("Saturday-night revisit due %v, want %v", sat.DueAt, want)
	}
	apptest.MustContain(t, h.Send(bob, "/followups"), "Fri 13 Mar 2026 16:00 · Revisit Acme Corp", "Mon 16 Mar 2026 09:00 · Revisit Beta Ltd")

	// The rep's own reminder for 22:00 (quiet hours) stays at 22:00 EDT.
	h.Clock.Set(time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)) // Tuesday 08:00 EDT
	apptest.MustContain(t, h.Send(bob, "/remind 22:00 call the west coast"), "⏰ Reminder set for Tue 10 Mar 2026 22:00:")
	h.Clock.Set(time.Date(2026, 3, 11, 1, 59, 0, 0, time.UTC))
	tick(t, h, 0)
	h.Clock.Set(time.Date(2026, 3, 11, 2, 0, 0, 0, time.UTC))
	tick(t, h, 1)
	apptest.MustContain(t, sentMessages(h, bob.ID, "west coast"), "🔔 Reminder: call the west coast")

	// The bot was down from Friday before 16:00 until Saturday 11:00 EDT:
	// Saturday is a day off, so the Friday revisit waits for Monday 09:00.
	h.Clock.Set(time.Date(2026, 3, 14, 15, 0, 0, 0, time.UTC))
	if st := h.Tick(); st.Deferred != 1 || st.Sent != 0 {
		t.Fatalf("Saturday tick: %+v", st)
	}
	h.Clock.Set(time.Date(2026, 3, 16, 12, 59, 0, 0, time.UTC))
	tick(t, h, 0)
	h.Clock.Set(time.Date(2026, 3, 16, 13, 0, 0, 0, time.UTC)) // Monday 09:00 EDT
	tick(t, h, 2)
	apptest.MustContain(t, sentMessages(h, bob.ID, "🔔 Time to follow up with Acme Corp"), "(late — it was due Fri 13 Mar 2026 16:00)")
	if s := sentMessages(h, bob.ID, "🔔 Time to follow up with Beta Ltd"); len(s) != 1 || strings.Contains(s[0].Text, "late") {
		t.Fatalf("Beta's revisit is on time: %+v", s)
	}
}

func TestRemindReadsDatesAndRefusesBadOnes(t *testing.T) {
	h := apptest.New(t) // Monday 23 Nov 2026 09:00 UTC
	repIn(t, h, bob, "UTC")
	cases := map[string]string{
		"/remind": "Usage: /remind WHEN TEXT. For example:\n/remind tomorrow 10:00 call Li about the quote",
		"/remind someday call Li": "I couldn't read a date or time at the start of “someday call Li”. Put WHEN first, then the text, for example:\n" +
			"/remind tomorrow 10:00 call Li",
		"/remind tomorrow":                              "What should I remind you of at “tomorrow”? Put it after the time, for example: /remind tomorrow call Li",
		"/remind today 08:00 call Li":                   "Mon 23 Nov 2026 08:00 has passed already. Pick a time ahead, for example: /remind tomorrow 10:00 call Li",
		"/remind fri 15:30 send the contract":           "⏰ Reminder set for Fri 27 Nov 2026 15:30:\nsend the contract",
		"/remind 2026-12-01 9:00 renewal talk":          "⏰ Reminder set for Tue 1 Dec 2026 09:00:\nrenewal talk",
		"/remind next monday send the quote":            "⏰ Reminder set for Mon 30 Nov 2026 09:00:\nsend the quote",
		"/remind in 3 days check the trial":             "⏰ Reminder set for Thu 26 Nov 2026 09:00:\ncheck the trial",
		"/remind 10:00 stand-up":                        "⏰ Reminder set for Mon 23 Nov 2026 10:00:\nstand-up",
		"/remind tomorrow " + strings.Repeat("x", 1001): "That is too long (1001 characters; at most 1000).",
	}
	for in, want := range cases {
		apptest.MustContain(t, h.Send(bob, in), want)
	}

	// Chinese, in Shanghai: 09:00 UTC is 17:00 there.
	h.Send(admin, "/settings North tz Asia/Shanghai")
	h.Send(li, "/join "+invite(t, h, "rep North"))
	for in, want := range map[string]string{
		"/remind 明天上午10点 给华为打电话": "⏰ 已设置提醒,时间 2026年11月24日 周二 10:00:\n给华为打电话",
		"/remind 下周一 复访":         "⏰ 已设置提醒,时间 2026年11月30日 周一 09:00:\n复访",
		"/remind 3天后 确认试用":       "⏰ 已设置提醒,时间 2026年11月26日 周四 17:00:\n确认试用",
		"/remind 随便 什么":          "我没能从“随便 什么”的开头读出日期或时间。",
	} {
		apptest.MustContain(t, h.Send(li, in), want)
	}

	// The confirmation's Cancel button cancels it.
	got := h.Send(bob, "/remind in 2 hours call back")
	if len(got) != 1 || len(got[0].Buttons) != 1 || got[0].Buttons[0][0].Text != "✖️ Cancel reminder" {
		t.Fatalf("confirmation %+v", got)
	}
	pressed := h.Press(bob, got[0].MessageID, got[0].Buttons[0][0].Data)
	if len(pressed) != 1 || pressed[0].Text != "⏰ Reminder set for Mon 23 Nov 2026 19:00:\ncall back\n✖️ Cancelled" {
		t.Fatalf("cancel: %+v", pressed)
	}
	h.Clock.Advance(3 * time.Hour)
	h.Tick()
	if n := len(sentMessages(h, bob.ID, "🔔 Reminder: call back")); n != 0 {
		t.Fatal("a cancelled reminder went out")
	}
}

func TestFollowUpListDoneAndSnooze(t *testing.T) {
	h := apptest.New(t) // Monday 23 Nov 2026 09:00 UTC
	rep := repIn(t, h, bob, "UTC")
	ctx := context.Background()
	late, err := h.App.DB.CreateFollowUp(ctx, &models.FollowUp{TeamID: rep.PrimaryTeam(), OwnerID: rep.ID,
		Kind: models.KindReminder, Text: "overdue one", DueAt: h.Clock.Now().Add(-2 * time.Hour), Exact: true})
	if err != nil {
		t.Fatal(err)
	}
	h.Send(bob, "/remind in 2 hours first call")
	h.Send(bob, "/remind wed 10:00 this week's one")
	h.Send(bob, "/remind 2026-12-15 10:00 later one")
	got := h.Send(bob, "/followups")
	apptest.MustContain(t, got, "Your open follow-ups (4):\n\n⚠️ Overdue\n1. Mon 23 Nov 2026 07:00 · overdue one\n\n"+
		"Today\n2. 11:00 · first call\n\nThis week\n3. Wed 25 Nov 2026 10:00 · this week's one\n\nLater\n4. Tue 15 Dec 2026 10:00 · later one",
		"✅ done · ⏰ 1 hour")
	if b := got[0].Buttons; len(b) != 4 || len(b[0]) != 5 || b[0][0].Text != "1 ✅" || b[0][0].Data != fmt.Sprintf("fl:d:%d", late.ID) {
		t.Fatalf("list buttons %v", buttonData(b))
	}
	list := got[0]

	apptest.MustContain(t, h.Send(bob, "/done 1"), "✅ Done: overdue one")
	// Numbers stay those of the list on screen.
	apptest.MustContain(t, h.Send(bob, "/snooze 2 tomorrow 15:00"), "💤 first call — snoozed until Tue 24 Nov 2026 15:00")
	apptest.MustContain(t, h.Send(bob, "/snooze 9 tomorrow"), "There is no number 9 in the list you last saw (it had 4).")
	apptest.MustContain(t, h.Send(bob, "/snooze 2 whenever"), "I couldn't read “whenever” as a time.")
	apptest.MustContain(t, h.Send(bob, "/snooze 2 today 08:00"), "Mon 23 Nov 2026 08:00 has passed already")
	apptest.MustContain(t, h.Send(bob, "/snooze 2"), "Usage: /snooze N WHEN")
	apptest.MustContain(t, h.Send(bob, "/done"), "Usage: /done N")
	apptest.MustContain(t, h.Send(bob, "/todo"), "Your open follow-ups (3):\n\nThis week\n1. Tue 24 Nov 2026 15:00 · first call\n"+
		"2. Wed 25 Nov 2026 10:00 · this week's one\n\nLater\n3. Tue 15 Dec 2026 10:00 · later one")

	// A button of the older list: the list message shows the result and
	// the list as it is now.
	laterDone := list.Buttons[3][0].Data
	pressed := h.Press(bob, list.MessageID, laterDone)
	if len(pressed) != 1 || pressed[0].Method != "editMessageText" || pressed[0].MessageID != list.MessageID {
		t.Fatalf("press: %+v", pressed)
	}
	apptest.MustContain(t, pressed, "✅ Done Mon 23 Nov 2026 09:00 — later one\n\nYour open follow-ups (2):")
	if len(pressed[0].Buttons) != 3 || pressed[0].Buttons[2][0].Text != "↩️ Undo done" {
		t.Fatalf("buttons after: %v", buttonData(pressed[0].Buttons))
	}
	// Pressing it again says it is closed and changes nothing.
	apptest.MustContain(t, h.Press(bob, list.MessageID, laterDone), "This follow-up is done already.")

	// Someone else's button: a short notice, nothing changes.
	h.Send(li, "/join "+invite(t, h, "rep North"))
	snoozeOther := list.Buttons[2][1].Data // "this week's one", 1 hour
	apptest.MustContain(t, h.Press(li, list.MessageID, snoozeOther), "按钮已失效")
	apptest.MustContain(t, h.Send(bob, "/followups"), "2. Wed 25 Nov 2026 10:00 · this week's one")
	apptest.MustContain(t, h.Press(bob, list.MessageID, "fl:d:999999"), "This button no longer works.")
	apptest.MustContain(t, h.Press(bob, list.MessageID, "fl:zz:1"), "This button no longer works.")
}

func TestAway(t *testing.T) {
	h := apptest.New(t) // Monday 23 Nov 2026 09:00 UTC
	repIn(t, h, bob, "UTC")
	apptest.MustContain(t, h.Send(bob, "/away"), "You are not away.")
	apptest.MustContain(t, h.Send(bob, "/away 2026-11-25 2026-11-27"),
		"🏖 Away from Wed 25 Nov to Fri 27 Nov. Follow-ups due meanwhile reach you on Mon 30 Nov 2026 09:00.")
	apptest.MustContain(t, h.Send(bob, "/away"), "You are away from Wed 25 Nov to Fri 27 Nov.")
	h.Send(bob, "/remind wed 10:00 call Acme")
	h.Clock.Set(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	if st := h.Tick(); st.Deferred != 1 || st.Sent != 0 {
		t.Fatalf("while away: %+v", st)
	}
	h.Clock.Set(time.Date(2026, 11, 30, 8, 59, 0, 0, time.UTC))
	tick(t, h, 0)
	h.Clock.Set(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	tick(t, h, 1)
	apptest.MustContain(t, sentMessages(h, bob.ID, "🔔 Reminder: call Acme"), "(late — it was due Wed 25 Nov 2026 10:00)")

	apptest.MustContain(t, h.Send(bob, "/away dec 20 - jan 3"), "🏖 Away from Sun 20 Dec to Sun 3 Jan.", "Mon 4 Jan 2027 09:00")
	apptest.MustContain(t, h.Send(bob, "/away off"), "Cancelled your away period from Sun 20 Dec to Sun 3 Jan; follow-ups reach you as usual.")
	apptest.MustContain(t, h.Send(bob, "/away"), "You are not away.")
	apptest.MustContain(t, h.Send(bob, "/away off"), "You are not away, so there is nothing to end.")
	apptest.MustContain(t, h.Send(bob, "/away today - tomorrow"), "🏖 Away from")
	apptest.MustContain(t, h.Send(bob, "/away off"), "Welcome back!")
	apptest.MustContain(t, h.Send(bob, "/away 2026-12-27 2026-12-25"), "The last day (Fri 25 Dec) is before the first (Sun 27 Dec).")
	apptest.MustContain(t, h.Send(bob, "/away 2026-11-01 2026-11-02"), "Mon 2 Nov has passed already.")
	apptest.MustContain(t, h.Send(bob, "/away someday"), "I couldn't read “someday” as a first and a last day.")
}

func TestTeamSettings(t *testing.T) {
	h := apptest.New(t)
	h.Send(bob, "/join "+invite(t, h, "rep North"))
	apptest.MustContain(t, h.Send(admin, "/settings North"), "Settings of North:\nTime zone: UTC\nRevisit after a visit: after 7 days\n"+
		"Morning (date-only reminders, the day's first follow-ups): 09:00\nQuiet hours: 21:00–08:00\nDays off: Sat, Sun")
	apptest.MustContain(t, h.Send(admin, "/settings North quiet 22:00-07:00"), "Saved.", "Quiet hours: 22:00–07:00")
	apptest.MustContain(t, h.Send(admin, "/settings North daysoff fri sat"), "Days off: Fri, Sat")
	apptest.MustContain(t, h.Send(admin, "/settings North morning 8:30"), "Morning (date-only reminders, the day's first follow-ups): 08:30")
	apptest.MustContain(t, h.Send(admin, "/settings North revisit 14"), "Revisit after a visit: after 14 days")
	apptest.MustContain(t, h.Send(admin, "/settings North revisit 0"), "The revisit interval is 1 to 90 days")
	apptest.MustContain(t, h.Send(admin, "/settings North quiet off"), "Quiet hours: none")
	apptest.MustContain(t, h.Send(admin, "/settings North morning 25:00"), "“25:00” is not a valid value for morning. Example: /settings morning 08:30")
	apptest.MustContain(t, h.Send(admin, "/settings North daysoff mon tue wed thu fri sat sun"), "Every day can't be a day off")
	apptest.MustContain(t, h.Send(admin, "/settings North revisit 120"), "The revisit interval is 1 to 90 days")
	apptest.MustContain(t, h.Send(admin, "/settings North tz Mars/Base"), "“Mars/Base” is not a valid value for tz.")
	apptest.MustContain(t, h.Send(bob, "/settings"), "/settings is for managers only.")
	team, _ := h.App.DB.TeamByName(context.Background(), "North")
	if team.Hours.Morning != models.Clock(8, 30) || team.Hours.DaysOff != models.WeekdaysOf(time.Friday, time.Saturday) || team.RevisitDays != 14 {
		t.Fatalf("stored: %+v", team)
	}
	// A date-only reminder uses the team's morning.
	apptest.MustContain(t, h.Send(bob, "/remind tomorrow call Li"), "⏰ Reminder set for Tue 24 Nov 2026 08:30:")
}

// An admin in no team can set reminders for themselves too.
func TestRemindWithoutTeam(t *testing.T) {
	h := apptest.New(t)
	apptest.MustContain(t, h.Send(admin, "/remind in 1 hour call the board"), "⏰ Reminder set for Mon 23 Nov 2026 10:00:")
	h.Clock.Advance(time.Hour)
	tick(t, h, 1)
	apptest.MustContain(t, sentMessages(h, admin.ID, "🔔"), "🔔 Reminder: call the board")
}

// Log visit under a follow-up opens the visit form at the second question,
// the client filled in; saving the visit completes the follow-up, and the
// new visit brings the next one.
func TestLogVisitFromFollowUp(t *testing.T) {
	h := apptest.New(t)
	repIn(t, h, bob, "UTC")
	f := logVisit(t, h, bob, "Acme Corp; demo")
	h.Clock.Set(f.DueAt)
	tick(t, h, 1)
	msg := lastSent(t, h, bob.ID)
	got := h.Tap(bob, []tgfake.Sent{msg}, "📝 Log visit")
	apptest.MustContain(t, got, "How did you meet them?")
	if strings.Contains(apptest.Joined(got), "Which client did you visit?") {
		t.Fatalf("the client was asked although the follow-up names it:\n%s", apptest.Joined(got))
	}
	got = h.Tap(bob, got, "phone")
	for !strings.Contains(apptest.Joined(got), "When should you call or visit again?") {
		got = h.Tap(bob, got, "Skip")
	}
	got = h.Tap(bob, h.Tap(bob, got, "In 2 days"), "Now")
	apptest.MustContain(t, got, "✅ Visit saved — Acme Corp, Mon 30 Nov 2026 09:00", "Method: phone", "Follow-up: Wed 2 Dec 2026 09:00")
	if done, _ := h.App.DB.FollowUp(context.Background(), storage.System, f.ID); done.State != models.FollowUpDone {
		t.Fatalf("the follow-up after logging the visit: %s", done.State)
	}
	apptest.MustContain(t, h.Send(bob, "/followups"), "Your open follow-ups (1):", "1. Wed 2 Dec 2026 09:00 · Revisit Acme Corp")
	// Its message's buttons now say so instead of acting twice.
	apptest.MustContain(t, h.Press(bob, msg.MessageID, fmt.Sprintf("fu:d:%d", f.ID)), "This follow-up is done already.")
	// The client card shows the open follow-up.
	apptest.MustContain(t, h.Send(bob, "/client Acme Corp"), "Next visit due: Wed 2 Dec 2026 09:00")
}

// Form expiry runs on the scheduler as the job "expire-forms" (cron every
// minute; here run once, as `salesbot job expire-forms` would).
func TestFormExpiryIsAScheduledJob(t *testing.T) {
	h := apptest.New(t)
	repIn(t, h, bob, "UTC")
	apptest.MustContain(t, h.Send(bob, "/visit"), "Which client did you visit?")
	h.Send(bob, "Acme Corp")
	h.Clock.Advance(23*time.Hour + 59*time.Minute)
	if err := h.App.RunJob(context.Background(), "expire-forms"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(apptest.Joined(h.Fake.SentTo(bob.ID)), "has expired") {
		t.Fatal("expired before a day")
	}
	h.Clock.Advance(2 * time.Minute)
	if err := h.App.RunJob(context.Background(), "expire-forms"); err != nil {
		t.Fatal(err)
	}
	apptest.MustContain(t, h.Fake.SentTo(bob.ID), "The form waited 24 hours for an answer and has expired", "Acme Corp")
	if names := h.App.Scheduler.Names(); fmt.Sprint(names) != "[expire-forms followups prune reports]" || fmt.Sprint(names) != fmt.Sprint(app.JobNames()) {
		t.Fatalf("jobs %v, app.JobNames %v", names, app.JobNames())
	}
}

// A visit on a Saturday: a week on is a day off, so the follow-up — and
// what the visit form and the confirmation say about it — is Monday morning.
func TestWeekendVisitFollowUpIsMondayMorning(t *testing.T) {
	h := apptest.New(t)
	repIn(t, h, bob, "UTC")
	h.Clock.Set(time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)) // Saturday
	apptest.MustContain(t, h.Send(bob, "/visit Acme Corp; demo"), "Follow-up: Mon 7 Dec 2026 09:00 (the 7-day rule)")
	got := h.Send(bob, "/visit")
	got = h.Tap(bob, got, "Acme Corp")
	for !strings.Contains(apptest.Joined(got), "When should you call or visit again?") {
		got = h.Tap(bob, got, "Skip")
	}
	apptest.MustContain(t, got, "The one-week rule says Mon 7 Dec 2026 09:00.")
}
