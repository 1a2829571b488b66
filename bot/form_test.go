package bot

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"salesbot/internal/clock"
	"salesbot/internal/outbox"
	"salesbot/internal/reports"
	"salesbot/internal/storage"
	"salesbot/internal/storage/storagetest"
	"salesbot/models"
)

// recorder is a Sender that keeps what the bot would send.
type recorder struct {
	mu   sync.Mutex
	msgs []outbox.Message
}

func (s *recorder) Enqueue(_ context.Context, _ int64, msgs ...outbox.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range msgs {
		if m.AnswerCallback == "" { // callback answers are not messages
			s.msgs = append(s.msgs, m)
		}
	}
	return nil
}

func (s *recorder) take() []outbox.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.msgs
	s.msgs = nil
	return out
}

type formRig struct {
	t     *testing.T
	db    *storage.DB
	clock *clock.Fake
	sent  *recorder
	bot   *Bot
	done  []map[string]string
}

func newFormRig(t *testing.T, db *storage.DB, clk *clock.Fake) *formRig {
	cat, err := NewCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	rig := &formRig{t: t, db: db, clock: clk, sent: &recorder{}}
	rig.bot = New(Config{Admins: []int64{1}}, Parts{Store: db, Catalogue: cat, Clock: clk, Send: rig.sent,
		Reports: reports.NewBuilder(db, clk), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	rig.bot.forms["test"] = &Form{
		Kind: "test",
		Steps: []*Step{
			{ID: "m", Prompt: func(*Request, *FormState) string { return "Method?" },
				Choices: func(context.Context, *Request, *FormState) ([]Choice, error) {
					return []Choice{{"Phone", "phone"}, {"Visit", "visit"}}, nil
				}},
			{ID: "n", Prompt: func(*Request, *FormState) string { return "Notes?" }, Text: true, Optional: true,
				Parse: func(_ context.Context, _ *Request, st *FormState, a string) error {
					if a == "bad" {
						return models.Errorf(models.EINVALID, "form_choose", nil)
					}
					st.Set("n", a)
					return nil
				}},
			{ID: "s", Prompt: func(*Request, *FormState) string { return "Stage?" },
				Choices: func(context.Context, *Request, *FormState) ([]Choice, error) {
					return []Choice{{"Demo", "demo"}, {"Quote", "quote"}}, nil
				}},
		},
		Done: func(_ context.Context, r *Request, st *FormState) error {
			rig.done = append(rig.done, st.Data)
			r.reply("saved", nil)
			return nil
		},
	}
	rig.bot.commands = append(rig.bot.commands, &command{name: "test", role: models.RoleRep,
		run: func(ctx context.Context, r *Request) error { return rig.bot.StartForm(ctx, r, "test", nil) }})
	rig.bot.byName["test"] = rig.bot.commands[len(rig.bot.commands)-1]
	return rig
}

func (g *formRig) profile() storage.Profile {
	return storage.Profile{TelegramID: 1, ChatID: 1, Name: "Ann", Lang: "en"}
}

func (g *formRig) text(s string) []outbox.Message {
	r := &Request{Profile: g.profile(), ChatID: 1, Now: g.clock.Now(), cat: g.bot.cat, Text: s}
	if strings.HasPrefix(s, "/") {
		r.Command, r.Args = splitCommand(s)
	}
	g.bot.serve(context.Background(), r)
	return g.sent.take()
}

func (g *formRig) press(data string) []outbox.Message {
	r := &Request{Profile: g.profile(), ChatID: 1, Now: g.clock.Now(), cat: g.bot.cat, CallbackID: "cb", CallbackData: data, MessageID: 77}
	g.bot.serve(context.Background(), r)
	return g.sent.take()
}

func buttonData(m outbox.Message) []string {
	var out []string
	for _, row := range m.Buttons {
		for _, b := range row {
			out = append(out, b.Text+"="+b.Data)
		}
	}
	return out
}

func expect(t *testing.T, got []outbox.Message, texts ...string) {
	t.Helper()
	if len(got) != len(texts) {
		t.Fatalf("got %d messages %+v, want %q", len(got), got, texts)
	}
	for i, want := range texts {
		if !strings.Contains(got[i].Text, want) {
			t.Fatalf("message %d = %q, want it to contain %q", i, got[i].Text, want)
		}
	}
}

func TestFormWalkThrough(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	g := newFormRig(t, storagetest.SQLite(t, clk), clk)

	got := g.text("/test")
	expect(t, got, "Method?")
	if b := strings.Join(buttonData(got[0]), " "); b != "Phone=f:m:c:0 Visit=f:m:c:1 Cancel=f:m:x" {
		t.Fatalf("first step buttons: %s", b)
	}

	got = g.press("f:m:c:0")
	expect(t, got, "Method?\n→ Phone", "Notes?")
	if got[0].EditMessageID != 77 {
		t.Fatalf("the answered question must be edited, got %+v", got[0])
	}
	if b := strings.Join(buttonData(got[1]), " "); b != "« Back=f:n:b Skip=f:n:s Cancel=f:n:x" {
		t.Fatalf("second step buttons: %s", b)
	}

	// A bad answer is explained and the question asked again.
	expect(t, g.text("bad"), "Please pick one of the buttons", "Notes?")

	expect(t, g.text("met the buyer"), "Stage?")
	expect(t, g.press("f:s:b"), "Stage?\n→ « Back", "Notes?")
	expect(t, g.press("f:n:s"), "Notes?\n→ skipped", "Stage?")

	// A button of an earlier question no longer works.
	expect(t, g.press("f:m:c:1"), "This button no longer works.")

	// The choice can be typed as its number or its label.
	expect(t, g.text("Quote"), "saved")
	if len(g.done) != 1 || g.done[0]["m"] != "phone" || g.done[0]["s"] != "quote" || g.done[0]["n"] != "" {
		t.Fatalf("saved %+v", g.done)
	}
	// The form is gone: plain text is not an answer any more.
	expect(t, g.text("hello"), "I didn't save that")
}

func TestFormSurvivesRestart(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	db := storagetest.SQLite(t, clk)
	g := newFormRig(t, db, clk)
	g.text("/test")
	g.text("2")
	// A new bot on the same database continues where the form was.
	g2 := newFormRig(t, db, clk)
	expect(t, g2.text("notes after restart"), "Stage?")
	g2.text("1")
	if len(g2.done) != 1 || g2.done[0]["m"] != "visit" || g2.done[0]["n"] != "notes after restart" || g2.done[0]["s"] != "demo" {
		t.Fatalf("saved %+v", g2.done)
	}
}

func TestFormExpiresAndCommandsAsk(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	g := newFormRig(t, storagetest.SQLite(t, clk), clk)
	g.text("/test")
	g.text("1")
	clk.Advance(FormIdle - time.Minute)
	if n, err := g.bot.ExpireForms(context.Background()); err != nil || n != 0 {
		t.Fatalf("expired %d (%v) before a day", n, err)
	}
	clk.Advance(time.Minute)
	if n, err := g.bot.ExpireForms(context.Background()); err != nil || n != 1 {
		t.Fatalf("expired %d (%v), want 1", n, err)
	}
	expect(t, g.sent.take(), "waited 24 hours for an answer and has expired; nothing was saved. You had entered:\n• phone")
	expect(t, g.text("late answer"), "I didn't save that")

	// A command asks first; the form stays until the user decides.
	g.text("/test")
	got := g.text("/help")
	expect(t, got, "You are filling in this form. Finish it first, or discard it and run /help?")
	if b := strings.Join(buttonData(got[0]), " "); b != "↩️ Finish the form first=f:m:k 🗑 Discard it, run /help=f:m:d" {
		t.Fatalf("buttons %s", b)
	}
	expect(t, g.press("f:m:k"), "→ ↩️ Finish the form first", "Method?")
	g.text("/help")
	expect(t, g.press("f:m:d"), "→ 🗑 Discard it, run /help", "Cancelled; nothing was saved.", "What you can do:")
	expect(t, g.press("f:m:d"), "This button no longer works.")
	// /cancel with nothing entered cancels at once; after answers it asks.
	g.text("/test")
	expect(t, g.text("/cancel"), "Cancelled; nothing was saved.")
	expect(t, g.text("/cancel"), "There is no form to cancel.")
	g.text("/test")
	g.text("1")
	expect(t, g.press("f:n:x"), "Notes?\n→ Cancel", "Discard this form? Nothing of it will be saved. You have entered:\n• phone")
	expect(t, g.press("f:n:d"), "→ 🗑 Discard it", "Cancelled; nothing was saved. You had entered:\n• phone")
	if len(g.done) != 0 {
		t.Fatalf("an unfinished form saved %+v", g.done)
	}
}

// A step can jump to a step the normal order skips, collect several
// answers, and one step can be asked alone (a quick command's missing part).
func TestFormJumpsAndMultiAnswers(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	g := newFormRig(t, storagetest.SQLite(t, clk), clk)
	never := func(*FormState) bool { return false }
	g.bot.forms["jump"] = &Form{
		Kind: "jump",
		Steps: []*Step{
			{ID: "who", Text: true, Prompt: func(*Request, *FormState) string { return "Who?" },
				Parse: func(_ context.Context, _ *Request, st *FormState, a string) error {
					st.Set("who", a)
					if a == "acme" {
						st.Jump = "pick"
					}
					return nil
				}},
			{ID: "pick", When: never, Prompt: func(*Request, *FormState) string { return "Acme Corp or new?" },
				Choices: func(context.Context, *Request, *FormState) ([]Choice, error) {
					return []Choice{{"Acme Corp", "old"}, {"New", "new"}}, nil
				}},
			{ID: "many", Text: true, Optional: true, OnSkip: func(st *FormState) { st.Set("many", "skipped") },
				Prompt: func(_ *Request, st *FormState) string { return "More? have: " + st.Get("many") },
				Parse: func(_ context.Context, _ *Request, st *FormState, a string) error {
					if a == "done" {
						return nil
					}
					st.Set("many", st.Get("many")+a+",")
					return ErrAskAgain
				}},
		},
		Done: func(_ context.Context, r *Request, st *FormState) error {
			g.done = append(g.done, st.Data)
			r.reply("saved", nil)
			return nil
		},
	}
	g.bot.commands = append(g.bot.commands, &command{name: "jump", role: models.RoleRep,
		run: func(ctx context.Context, r *Request) error { return g.bot.StartForm(ctx, r, "jump", nil) }})
	g.bot.byName["jump"] = g.bot.commands[len(g.bot.commands)-1]

	g.text("/jump")
	expect(t, g.text("acme"), "Acme Corp or new?")
	expect(t, g.text("1"), "More? have: ")
	expect(t, g.text("x"), "More? have: x,")
	expect(t, g.text("y"), "More? have: x,y,")
	// Back goes to the jumped-to step, the way the user came.
	expect(t, g.press("f:many:b"), "More? have: x,y,\n→ « Back", "Acme Corp or new?")
	expect(t, g.text("New"), "More? have: x,y,")
	expect(t, g.text("done"), "saved")
	if d := g.done[0]; d["who"] != "acme" || d["pick"] != "new" || d["many"] != "x,y," {
		t.Fatalf("saved %+v", d)
	}

	// Without the jump, the never-step is not asked; Skip runs OnSkip.
	g.text("/jump")
	expect(t, g.text("globex"), "More? have: ")
	expect(t, g.press("f:many:s"), "More? have: \n→ skipped", "saved")
	if d := g.done[1]; d["pick"] != "" || d["many"] != "skipped" {
		t.Fatalf("saved %+v", d)
	}

	// One step alone, jumping on: the form ends after the jumped-to step.
	r := &Request{Profile: g.profile(), ChatID: 1, Now: clk.Now(), cat: g.bot.cat, User: &models.User{ID: 1, Active: true}}
	u, _ := g.db.TouchUser(context.Background(), g.profile(), true)
	r.User = u
	if err := g.bot.AskStep(context.Background(), r, "jump", "who", &FormState{Data: map[string]string{"many": "kept,"}}); err != nil {
		t.Fatal(err)
	}
	if len(r.out) != 1 || r.out[0].Text != "Who?" {
		t.Fatalf("asked %+v", r.out)
	}
	expect(t, g.text("acme"), "Acme Corp or new?")
	expect(t, g.text("Acme Corp"), "saved")
	if d := g.done[2]; d["who"] != "acme" || d["pick"] != "old" || d["many"] != "kept," {
		t.Fatalf("saved %+v", d)
	}
}
