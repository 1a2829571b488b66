package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"salesbot/internal/outbox"
	"salesbot/models"
)

// A form asks one question per step: buttons for choices, free text where
// needed, Skip, Back and Cancel. Its state is stored after every answer, so
// a restart mid-form loses nothing; a form idle for FormIdle expires with a
// message listing what had been entered.
//
// Button data is "f:<step>:<action>[:<value>]": the step id makes a button
// of an earlier question stale once the form has moved on.

// FormIdle is how long a form waits for an answer.
const FormIdle = 30 * time.Minute

// Form defines a kind of form.
type Form struct {
	Kind  string
	Steps []*Step
	// Done saves what the form collected; the form is gone after it.
	Done func(ctx context.Context, r *Request, st *FormState) error
	// Describe renders the answers so far, for the cancel and expiry
	// messages ("what was kept"); "" when nothing was entered. Nil: list
	// the raw answers.
	Describe func(r *Request, st *FormState) string
}

// Step is one question.
type Step struct {
	ID string
	// Prompt renders the question.
	Prompt func(r *Request, st *FormState) string
	// Choices, when set, are offered as buttons; pressing one answers
	// with its Value.
	Choices func(ctx context.Context, r *Request, st *FormState) ([]Choice, error)
	// Text accepts a typed answer (besides any buttons).
	Text bool
	// Parse checks an answer (typed or chosen) and stores it in st.
	// A models.Error is shown and the question asked again. Nil: store
	// the answer as st.Data[ID].
	Parse func(ctx context.Context, r *Request, st *FormState, answer string) error
	// Read, for a step without Text, reads a typed answer that is not a
	// button's label or number ("demo" at the stage step).
	Read func(text string) (string, bool)
	// NumbersAreText says a typed small number is an answer (a size, a
	// duration, a phone). Elsewhere a number 0–99 can only mean a button:
	// one that is not offered is refused, never stored as text.
	NumbersAreText bool
	// Optional steps have a Skip button.
	Optional bool
	// OnSkip, if set, clears what the step stores when it is skipped
	// (default: delete st.Data[ID]).
	OnSkip func(st *FormState)
	// When, if set, decides whether the step is asked at all.
	When func(st *FormState) bool
	// Columns is how many choice buttons share a row (default 2).
	Columns int
}

// Choice is a button of a step.
type Choice struct {
	Label string
	Value string
}

// FormState is a form in progress, as stored.
type FormState struct {
	Kind string            `json:"kind"`
	Step string            `json:"step"`
	Data map[string]string `json:"data"`
	// Path is the steps answered or skipped, for Back.
	Path []string `json:"path"`
	// Single, when set, is an edit of one field: the form ends after it.
	Single bool `json:"single,omitempty"`
	// Choices offered at the current step, so a pressed index maps to the
	// value shown then, whatever changed since.
	Choices []Choice `json:"choices,omitempty"`
	// Jump, set by a step's Parse, names the step to ask next instead of
	// the following one (also in a Single edit): a step reached only this
	// way ("did you mean", "pick a date") has When returning false.
	Jump string `json:"jump,omitempty"`

	updatedAt time.Time
}

// Get returns an answer ("" when missing).
func (st *FormState) Get(key string) string { return st.Data[key] }

// Set stores an answer.
func (st *FormState) Set(key, value string) {
	if st.Data == nil {
		st.Data = map[string]string{}
	}
	st.Data[key] = value
}

// forms is the registry of form kinds.
type forms map[string]*Form

func (f *Form) step(id string) (int, *Step) {
	for i, s := range f.Steps {
		if s.ID == id {
			return i, s
		}
	}
	return -1, nil
}

// nextStep is the first step after index i that applies.
func (f *Form) nextStep(i int, st *FormState) *Step {
	for j := i + 1; j < len(f.Steps); j++ {
		if s := f.Steps[j]; s.When == nil || s.When(st) {
			return s
		}
	}
	return nil
}

// StartForm begins a form of the given kind with some answers known.
func (b *Bot) StartForm(ctx context.Context, r *Request, kind string, data map[string]string) error {
	f, ok := b.forms[kind]
	if !ok {
		return fmt.Errorf("unknown form %q", kind)
	}
	st := &FormState{Kind: kind, Data: map[string]string{}}
	for k, v := range data {
		st.Data[k] = v
	}
	first := f.nextStep(-1, st)
	if first == nil {
		return f.Done(ctx, r, st)
	}
	return b.ask(ctx, r, f, st, first)
}

// AskStep asks one step of a form with the given state and finishes the
// form after it (or after the steps it jumps to): for a quick command that
// lacks one answer, and for the Edit buttons of a confirmation.
func (b *Bot) AskStep(ctx context.Context, r *Request, kind, stepID string, st *FormState) error {
	f, ok := b.forms[kind]
	if !ok {
		return fmt.Errorf("unknown form %q", kind)
	}
	_, s := f.step(stepID)
	if s == nil {
		return fmt.Errorf("form %q has no step %q", kind, stepID)
	}
	st.Kind, st.Single, st.Path, st.Jump = kind, true, nil, ""
	if st.Data == nil {
		st.Data = map[string]string{}
	}
	return b.ask(ctx, r, f, st, s)
}

// ask stores the state at step s and sends its question.
func (b *Bot) ask(ctx context.Context, r *Request, f *Form, st *FormState, s *Step) error {
	st.Step = s.ID
	st.Choices = nil
	if s.Choices != nil {
		cs, err := s.Choices(ctx, r, st)
		if err != nil {
			return err
		}
		st.Choices = cs
	}
	if err := b.store.SaveForm(ctx, r.User.ID, f.Kind, st); err != nil {
		return err
	}
	r.reply(s.Prompt(r, st), b.formButtons(r, st, s))
	return nil
}

func (b *Bot) formButtons(r *Request, st *FormState, s *Step) [][]outbox.Button {
	bs := make([]outbox.Button, len(st.Choices))
	for i, c := range st.Choices {
		bs[i] = outbox.Button{Text: c.Label, Data: fmt.Sprintf("f:%s:c:%d", s.ID, i)}
	}
	rows := grid(bs, s.Columns)
	var ctl []outbox.Button
	if len(st.Path) > 0 && !st.Single {
		ctl = append(ctl, outbox.Button{Text: r.t("form_back", nil), Data: "f:" + s.ID + ":b"})
	}
	if s.Optional {
		ctl = append(ctl, outbox.Button{Text: r.t("form_skip", nil), Data: "f:" + s.ID + ":s"})
	}
	ctl = append(ctl, outbox.Button{Text: r.t("form_cancel", nil), Data: "f:" + s.ID + ":x"})
	return append(rows, ctl)
}

// loadForm returns the user's form and its definition, expiring it (with a
// notice) when it has been idle too long.
func (b *Bot) loadForm(ctx context.Context, r *Request) (*Form, *FormState, error) {
	saved, err := b.store.Form(ctx, r.User.ID)
	if err != nil || saved == nil {
		return nil, nil, err
	}
	f, ok := b.forms[saved.Kind]
	st := &FormState{}
	if ok {
		ok = json.Unmarshal(saved.State, st) == nil
	}
	st.updatedAt = saved.UpdatedAt
	if !ok {
		// A kind this version no longer has: drop it rather than trap the user.
		_, err := b.store.DeleteForm(ctx, r.User.ID, time.Time{})
		return nil, nil, err
	}
	if r.Now.Sub(saved.UpdatedAt) >= FormIdle {
		if gone, err := b.store.DeleteForm(ctx, r.User.ID, saved.UpdatedAt); err != nil || !gone {
			return nil, nil, err
		}
		r.reply(b.expiredText(r.Lang, f, st, r), nil)
		return nil, nil, nil
	}
	return f, st, nil
}

// formHook answers the waiting question with a typed message.
func (b *Bot) formHook(ctx context.Context, r *Request) (bool, error) {
	f, st, err := b.loadForm(ctx, r)
	if err != nil || f == nil {
		return false, err
	}
	_, s := f.step(st.Step)
	if s == nil {
		return true, b.finish(ctx, r, f, st)
	}
	if r.Text == "" {
		if r.Location != nil || r.Attachment != nil {
			return false, nil // check-ins and files go to their own hooks
		}
		r.say("form_need_text", nil)
		return true, nil
	}
	answer := strings.TrimSpace(r.Text)
	again := func(key string, data map[string]any) (bool, error) {
		r.say(key, data)
		r.reply(s.Prompt(r, st), b.formButtons(r, st, s))
		return true, nil
	}
	if b.isSkipWord(answer) {
		// typing the Skip button's word is pressing it, never a text answer
		if !s.Optional {
			return again("form_required", nil)
		}
		if s.OnSkip != nil {
			s.OnSkip(st)
		} else {
			delete(st.Data, s.ID)
		}
		return true, b.advance(ctx, r, f, st, s)
	}
	if value, ok := matchChoice(st.Choices, answer); ok {
		return true, b.answer(ctx, r, f, st, s, value)
	}
	if n, ok := buttonNumber(answer); ok && !s.NumbersAreText {
		if len(st.Choices) == 0 {
			return again("form_no_button", map[string]any{"N": n})
		}
		return again("form_pick_number", map[string]any{"N": n, "Max": len(st.Choices)})
	}
	if !s.Text {
		value, ok := "", false
		if s.Read != nil {
			value, ok = s.Read(answer)
		}
		if !ok {
			return again("form_choose", nil)
		}
		answer = value
	}
	return true, b.answer(ctx, r, f, st, s, answer)
}

// buttonNumber reads a typed small number (0–99), which in a form can only
// be meant as a button's number.
func buttonNumber(text string) (int, bool) {
	n, err := strconv.Atoi(text)
	return n, err == nil && n >= 0 && n < 100 && !strings.HasPrefix(text, "+")
}

// isSkipWord reports whether text is the Skip button's word in any
// language ("skip", "跳过"), so it is not stored as an answer.
func (b *Bot) isSkipWord(text string) bool {
	text = strings.TrimSpace(text)
	for _, lang := range b.cat.Languages() {
		if strings.EqualFold(text, strings.TrimSpace(b.cat.T(lang, "form_skip", nil))) {
			return true
		}
	}
	return false
}

// matchChoice reads a typed answer as a choice: its label (any case) or
// its number in the list.
func matchChoice(cs []Choice, text string) (string, bool) {
	text = strings.TrimSpace(text)
	for _, c := range cs {
		if strings.EqualFold(c.Label, text) {
			return c.Value, true
		}
	}
	if n, err := strconv.Atoi(text); err == nil && n >= 1 && n <= len(cs) {
		return cs[n-1].Value, true
	}
	return "", false
}

func (b *Bot) answer(ctx context.Context, r *Request, f *Form, st *FormState, s *Step, answer string) error {
	if err := tooLong(answer, MaxFieldLen); err != nil {
		return b.reask(ctx, r, f, st, s, err)
	}
	if s.Parse != nil {
		if err := s.Parse(ctx, r, st, answer); errors.Is(err, ErrAskAgain) {
			return b.ask(ctx, r, f, st, s)
		} else if err != nil {
			return b.reask(ctx, r, f, st, s, err)
		}
	} else {
		st.Set(s.ID, answer)
	}
	return b.advance(ctx, r, f, st, s)
}

// ErrAskAgain, returned by a step's Parse, keeps the form at that step and
// asks it again without complaint: a step that collects several answers
// (contacts met) ends with its "done" choice or Skip.
var ErrAskAgain = errors.New("ask the step again")

// MaxFieldLen bounds one typed form answer.
const MaxFieldLen = 1000

func (b *Bot) reask(ctx context.Context, r *Request, f *Form, st *FormState, s *Step, err error) error {
	if models.ErrorCode(err) == models.EINTERNAL {
		return err
	}
	b.renderError(r, err)
	return b.ask(ctx, r, f, st, s)
}

func (b *Bot) advance(ctx context.Context, r *Request, f *Form, st *FormState, s *Step) error {
	if st.Jump != "" {
		_, next := f.step(st.Jump)
		st.Jump = ""
		if next == nil {
			return fmt.Errorf("form %q has no step to jump to from %q", f.Kind, s.ID)
		}
		if !st.Single {
			st.Path = append(st.Path, s.ID)
		}
		return b.ask(ctx, r, f, st, next)
	}
	if st.Single {
		return b.finish(ctx, r, f, st)
	}
	st.Path = append(st.Path, s.ID)
	i, _ := f.step(s.ID)
	next := f.nextStep(i, st)
	if next == nil {
		return b.finish(ctx, r, f, st)
	}
	return b.ask(ctx, r, f, st, next)
}

func (b *Bot) finish(ctx context.Context, r *Request, f *Form, st *FormState) error {
	// Delete first: if saving fails the user is told, and a retry of the
	// same update does not save twice.
	if _, err := b.store.DeleteForm(ctx, r.User.ID, time.Time{}); err != nil {
		return err
	}
	return f.Done(ctx, r, st)
}

// cbForm handles the form's buttons.
func (b *Bot) cbForm(ctx context.Context, r *Request, payload string) error {
	stepID, rest, _ := strings.Cut(payload, ":")
	action, value, _ := strings.Cut(rest, ":")
	f, st, err := b.loadForm(ctx, r)
	if err != nil {
		return err
	}
	if f == nil || st.Step != stepID {
		r.say("button_stale", nil)
		return nil
	}
	_, s := f.step(stepID)
	if s == nil {
		r.say("button_stale", nil)
		return nil
	}
	// The question turns into its answer; the next question is a new
	// message, so the chat reads as a record.
	answered := func(label string) {
		r.reply(s.Prompt(r, st)+"\n→ "+label, nil)
		r.editLast(r.MessageID)
	}
	switch action {
	case "c":
		i, err := strconv.Atoi(value)
		if err != nil || i < 0 || i >= len(st.Choices) {
			r.say("button_stale", nil)
			return nil
		}
		answered(st.Choices[i].Label)
		return b.answer(ctx, r, f, st, s, st.Choices[i].Value)
	case "s":
		if !s.Optional {
			r.say("button_stale", nil)
			return nil
		}
		answered(r.t("form_skipped", nil))
		if s.OnSkip != nil {
			s.OnSkip(st)
		} else {
			delete(st.Data, s.ID)
		}
		return b.advance(ctx, r, f, st, s)
	case "b":
		if len(st.Path) == 0 {
			r.say("button_stale", nil)
			return nil
		}
		answered(r.t("form_back", nil))
		prev := st.Path[len(st.Path)-1]
		st.Path = st.Path[:len(st.Path)-1]
		_, ps := f.step(prev)
		return b.ask(ctx, r, f, st, ps)
	case "x":
		if _, err := b.store.DeleteForm(ctx, r.User.ID, time.Time{}); err != nil {
			return err
		}
		answered(r.t("form_cancel", nil))
		r.reply(r.t("form_cancelled", map[string]any{"Kept": b.describe(r, f, st)}), nil)
		return nil
	}
	r.say("button_stale", nil)
	return nil
}

// abandonForm ends a waiting form because the user sent a command, saying
// so and showing what had been entered.
func (b *Bot) abandonForm(ctx context.Context, r *Request) error {
	f, st, err := b.loadForm(ctx, r)
	if err != nil || f == nil {
		return err
	}
	if _, err := b.store.DeleteForm(ctx, r.User.ID, time.Time{}); err != nil {
		return err
	}
	r.reply(r.t("form_abandoned", map[string]any{"Command": "/" + r.Command, "Kept": b.describe(r, f, st)}), nil)
	return nil
}

func (b *Bot) describe(r *Request, f *Form, st *FormState) string {
	if f.Describe != nil {
		return f.Describe(r, st)
	}
	var lines []string
	for _, s := range f.Steps {
		if v := st.Data[s.ID]; v != "" {
			lines = append(lines, "• "+v)
		}
	}
	return strings.Join(lines, "\n")
}

func (b *Bot) expiredText(lang string, f *Form, st *FormState, r *Request) string {
	return r.t("form_expired", map[string]any{"Minutes": int(FormIdle / time.Minute), "Kept": b.describe(r, f, st)})
}

// ExpireForms ends the forms idle for FormIdle, telling each user what they
// had entered (nothing is saved from an unfinished form). The scheduler
// calls it every minute; it returns how many expired.
func (b *Bot) ExpireForms(ctx context.Context) (int, error) {
	now := b.clock.Now()
	idle, err := b.store.IdleForms(ctx, now.Add(-FormIdle), 500)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, saved := range idle {
		// The form's end and its notice commit together: told once, or
		// (a crash before the commit) the form is still there next time.
		var gone bool
		err := b.store.InTx(ctx, func(ctx context.Context) error {
			var err error
			gone, err = b.store.DeleteForm(ctx, saved.UserID, saved.UpdatedAt)
			if err != nil || !gone {
				return err // !gone: the user answered in the meantime
			}
			user, err := b.store.User(ctx, saved.UserID)
			if err != nil || !user.Active || user.ChatID == 0 {
				return nil
			}
			f, ok := b.forms[saved.Kind]
			st := &FormState{}
			if !ok || json.Unmarshal(saved.State, st) != nil {
				return nil
			}
			r := &Request{User: user, ChatID: user.ChatID, Lang: b.cat.Normalize(user.Lang), Loc: b.userLoc(user), Now: now, cat: b.cat}
			return b.send.Enqueue(ctx, 0, outbox.Message{ChatID: user.ChatID, Text: b.expiredText(r.Lang, f, st, r)})
		})
		if err != nil {
			return n, err
		}
		if gone {
			n++
		}
	}
	return n, nil
}
