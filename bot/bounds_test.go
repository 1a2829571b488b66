package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"salesbot/bot"
	"salesbot/internal/app"
	"salesbot/internal/apptest"
	"salesbot/internal/storage"
)

// Twenty messages in ten seconds are answered; the next is refused once
// with a message saying until when, later ones in the cool-down quietly
// (the sender knows), and after it everything is answered again. Another
// person is not held back.
func TestPerUserRateLimit(t *testing.T) {
	h := apptest.New(t, apptest.WithConfig(func(c *app.Config) { c.UserRate = bot.DefaultRateLimit }))
	h.Member(bob, "North", "rep")
	h.Clock.Advance(time.Minute) // joining used some of Bob's budget
	for i := range 20 {
		apptest.MustContain(t, h.Send(bob, "/help"), "What you can do:")
		_ = i
	}
	got := h.Send(bob, "/help")
	apptest.MustContain(t, got, "You are sending faster than I can answer (20 messages in 10 seconds). I did not handle that message, nor will I handle the next ones until Mon 23 Nov 2026 09:01")
	if got := h.Send(bob, "/visit Acme; demo"); len(got) != 0 {
		t.Fatalf("during the cool-down: %q", apptest.Texts(got))
	}
	apptest.MustContain(t, h.Send(admin, "/help"), "What you can do:")
	h.Clock.Advance(10 * time.Second)
	apptest.MustContain(t, h.Send(bob, "/help"), "What you can do:")
}

// One message cannot make unbounded work: caps answer with the limit and
// store nothing of that message.
func TestCapsPerMessage(t *testing.T) {
	h := apptest.New(t)
	h.Member(bob, "North", "rep")
	var items []string
	for i := range 51 {
		items = append(items, fmt.Sprintf("mon Client%d demo", i))
	}
	apptest.MustContain(t, h.Send(bob, "/plan next "+strings.Join(items, "; ")), "That plan has 51 visits; one message can add at most 50. Nothing was saved")
	apptest.MustContain(t, h.Send(bob, "/plan next "+strings.Join(items[:21], "; ")), "That message would open 21 new client cards; one message can open at most 20. Nothing was saved")
	north, _ := h.App.DB.TeamByName(t.Context(), "North")
	if _, n, _ := h.App.DB.Clients(t.Context(), storageFilter(north.ID)); n != 0 {
		t.Fatalf("%d clients created by refused plans", n)
	}

	var met []string
	for i := range 21 {
		met = append(met, fmt.Sprintf("P%d (buyer)", i))
	}
	apptest.MustContain(t, h.Send(bob, "/visit Acme; met "+strings.Join(met, ", ")+"; demo"), "That visit lists 21 contacts met; a visit can have at most 20. Nothing was saved")
	if _, n, _ := h.App.DB.Clients(t.Context(), storageFilter(north.ID)); n != 0 {
		t.Fatalf("the refused visit left %d clients", n)
	}

	for i := range 100 {
		apptest.MustContain(t, h.Send(bob, fmt.Sprintf("/remind tomorrow 10:00 call %d", i)), fmt.Sprintf("call %d", i))
	}
	apptest.MustContain(t, h.Send(bob, "/remind tomorrow 10:00 one too many"), "You have 100 open reminders already, the most one person can keep.")

	apptest.MustContain(t, h.Send(bob, "/away "+strings.Repeat("a ", 2048)), "I couldn't read “a a a")
	apptest.MustContain(t, h.Send(admin, "/export North "+strings.Repeat("a ", 2048)), "I can't read")
}

func storageFilter(team int64) storage.ClientFilter {
	return storage.ClientFilter{Viewer: storage.System, TeamIDs: []int64{team}, Limit: 10}
}
