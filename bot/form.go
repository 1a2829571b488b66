package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"salesbot/internal/outbox"
	"salesbot/internal/storage"
	"salesbot/models"
)

// A form asks one question per step: buttons for choices, free text where
// needed, Skip, Back, Save (once what is needed is known) and Cancel. Its
// state is stored after every answer, so a restart mid-form loses nothing.
// Nothing entered is thrown away without asking: a command sent mid-form,
// Cancel after answers, and a message after a pause each ask first; a form
// idle for FormIdle expires with a message listing what had been entered.
//
// Button data is "f:<step>:<action>[:<value>]": the step id makes a button
// of an earlier question stale once the form has moved on.

// FormIdle is how long a form waits for an answer: reps log in the
// evening what they started at noon.
const FormIdle = 24 * time.Hour

// FormPause is how long a form may wait before a typed message is first
// asked about ("continue your visit to Acme?") rather than taken as the
// answer: after it, the message may well be meant for something else.
const FormPause = 30 * time.Minute

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
	// Subject, when set, is what the form is about (the visit's client),
	// for its title in questions about it ("the visit form for Acme").
	Subject func(st *FormState) string
	// CanSave, when set, says the answers so far can be saved: every step
	// then has a Save button that ends the form (the rest stays empty).
	CanSave func(st *FormState) bool
	// EndsOnCommand says a command sent while the form waits ends it and
	// runs without asking: what the form collected is saved already (the
	// referrals of a won deal).
	EndsOnCommand bool
	// Closing, when set, is what a cancel or an expiry says instead of
	// "nothing was saved", for a form that saves as it goes.
	Closing func(r *Request, st *FormState) string
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
	// Hold is the question about the form itself that is open (holdCommand,
	// holdCancel, holdResume), and Pending what the user sent that it holds
	// back: the command to run after a discard, the message to answer with
	// after a "continue".
	Hold    string `json:"hold,omitempty"`
	Pending string `json:"pending,omitempty"`
	// Left is when the form was left before a holdResume question.
	Left time.Time `json:"left,omitempty"`

	updatedAt time.Time
}

// The questions a form asks about itself.
const (
	holdCommand = "command" // a command was sent: finish the form first, or discard it?
	holdCancel  = "cancel"  // Cancel after answers: discard them?
	holdResume  = "resume"  // a message after a pause: continue the form?
)

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
	if err := b.saveForm(ctx, r, f.Kind, st); err != nil {
		return err
	}
	r.reply(s.Prompt(r, st), b.formButtons(r, f, st, s))
	return nil
}

func (b *Bot) formButtons(r *Request, f *Form, st *FormState, s *Step) [][]outbox.Button {
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
	if f.canSave(st) {
		ctl = append(ctl, outbox.Button{Text: r.t("form_save", nil), Data: "f:" + s.ID + ":v"})
	}
	ctl = append(ctl, outbox.Button{Text: r.t("form_cancel", nil), Data: "f:" + s.ID + ":x"})
	return append(rows, ctl)
}

// canSave reports whether the Save button is offered: the form says its
// answers are enough, and it is not a one-step edit (which saves anyway).
func (f *Form) canSave(st *FormState) bool {
	return f.CanSave != nil && !st.Single && f.CanSave(st)
}

// title names the form in questions about it (formTitleKeys).
func (b *Bot) title(r *Request, f *Form, st *FormState) string {
	key, ok := formTitleKeys.key(f.Kind)
	if !ok {
		key = "form_title_any"
	}
	subject := ""
	if f.Subject != nil {
		subject = f.Subject(st)
	}
	return r.t(key, map[string]any{"Client": subject})
}

// loadForm returns the user's form and its definition, expiring it (with a
// notice) when it has been idle too long.
func (b *Bot) loadForm(ctx context.Context, r *Request) (*Form, *FormState, error) {
	saved, err := b.savedForm(ctx, r)
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
		_, err := b.deleteForm(ctx, r, time.Time{})
		return nil, nil, err
	}
	if r.Now.Sub(saved.UpdatedAt) >= FormIdle {
		if gone, err := b.deleteForm(ctx, r, saved.UpdatedAt); err != nil || !gone {
			return nil, nil, err
		}
		r.reply(b.expiredText(r.Lang, f, st, r), nil)
		return nil, nil, nil
	}
	return f, st, nil
}

// savedForm is the user's open form: as read with the user at the
// update's start (serve), or from the table after a write of it.
func (b *Bot) savedForm(ctx context.Context, r *Request) (*storage.SavedForm, error) {
	if r.formKnown {
		return r.form, nil
	}
	return b.store.Form(ctx, r.User.ID)
}

// saveForm stores the user's form (storage.SaveForm); every write of the
// form during a request goes through it or deleteForm, so that savedForm
// never answers with what was there before.
func (b *Bot) saveForm(ctx context.Context, r *Request, kind string, st *FormState) error {
	r.formKnown = false
	return b.store.SaveForm(ctx, r.User.ID, kind, st)
}

// deleteForm removes the user's form (storage.DeleteForm: updatedAt zero
// for any) and reports whether there was one.
func (b *Bot) deleteForm(ctx context.Context, r *Request, updatedAt time.Time) (bool, error) {
	gone, err := b.store.DeleteForm(ctx, r.User.ID, updatedAt)
	// Gone, or none of any age left: known to be none. Otherwise (an
	// error, or a newer form than updatedAt) read it again if asked.
	r.form, r.formKnown = nil, err == nil && (gone || updatedAt.IsZero())
	return gone, err
}

// formHook answers the waiting question with a typed message; after a
// pause it first asks whether the message is for the form.
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
	if st.Hold == "" && r.Now.Sub(st.updatedAt) >= FormPause {
		return true, b.holdForm(ctx, r, f, st, holdResume, r.Text)
	}
	// A message while a question about the form is open answers the step:
	// the user carried on with the form.
	st.Hold, st.Pending = "", ""
	return true, b.typedAnswer(ctx, r, f, st, s, r.Text)
}

// typedAnswer reads a typed message as the answer to step s: a button's
// word or number, or text; a number that is no button, or Skip where the
// step cannot be skipped, is refused and the question asked again.
func (b *Bot) typedAnswer(ctx context.Context, r *Request, f *Form, st *FormState, s *Step, text string) error {
	answer := strings.TrimSpace(text)
	again := func(key string, data map[string]any) error {
		r.say(key, data)
		return b.ask(ctx, r, f, st, s)
	}
	switch {
	case b.isButtonWord(answer, "form_skip"):
		// typing the Skip button's word is pressing it, never a text answer
		if !s.Optional {
			return again("form_required", nil)
		}
		return b.skip(ctx, r, f, st, s)
	case f.canSave(st) && b.isButtonWord(answer, "form_save"):
		return b.finish(ctx, r, f, st)
	}
	if value, ok := matchChoice(st.Choices, answer); ok {
		return b.answer(ctx, r, f, st, s, value)
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
	return b.answer(ctx, r, f, st, s, answer)
}

func (b *Bot) skip(ctx context.Context, r *Request, f *Form, st *FormState, s *Step) error {
	if s.OnSkip != nil {
		s.OnSkip(st)
	} else {
		delete(st.Data, s.ID)
	}
	return b.advance(ctx, r, f, st, s)
}

// buttonNumber reads a typed small number (0–99), which in a form can only
// be meant as a button's number.
func buttonNumber(text string) (int, bool) {
	n, err := strconv.Atoi(text)
	return n, err == nil && n >= 0 && n < 100 && !strings.HasPrefix(text, "+")
}

// isButtonWord reports whether text is a form button's word in any
// language ("skip", "跳过"), so it is not stored as an answer.
func (b *Bot) isButtonWord(text, key string) bool {
	text = bareLabel(text)
	for _, lang := range b.cat.Languages() {
		if text != "" && strings.EqualFold(text, bareLabel(b.cat.T(lang, key, nil))) {
			return true
		}
	}
	return false
}

// bareLabel is a button's label as people type it: without its marks and
// brackets at either end ("✓ Done" is typed "done", "✓ 完成" "完成").
func bareLabel(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
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
	if bare := bareLabel(text); bare != "" {
		for _, c := range cs {
			if strings.EqualFold(bareLabel(c.Label), bare) {
				return c.Value, true
			}
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
	if _, err := b.deleteForm(ctx, r, time.Time{}); err != nil {
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
	if action != "k" && action != "d" {
		// answering the step itself settles an open question about the form
		st.Hold, st.Pending = "", ""
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
		return b.skip(ctx, r, f, st, s)
	case "v":
		if !f.canSave(st) {
			r.say("button_stale", nil)
			return nil
		}
		answered(r.t("form_save", nil))
		return b.finish(ctx, r, f, st)
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
		answered(r.t("form_cancel", nil))
		return b.cancelForm(ctx, r, f, st)
	case "k", "d":
		if st.Hold == "" {
			r.say("button_stale", nil)
			return nil
		}
		keep, discard := holdLabels(r, st)
		label := keep
		if action == "d" {
			label = discard
		}
		r.reply(b.holdText(r, f, st)+"\n→ "+label, nil)
		r.editLast(r.MessageID)
		hold, pending := st.Hold, st.Pending
		st.Hold, st.Pending = "", ""
		if action == "d" {
			return b.discardForm(ctx, r, f, st, hold, pending)
		}
		if hold == holdResume && pending != "" {
			return b.typedAnswer(ctx, r, f, st, s, pending)
		}
		return b.ask(ctx, r, f, st, s)
	}
	r.say("button_stale", nil)
	return nil
}

// cancelForm ends the form on Cancel or /cancel: at once when nothing was
// entered, else after asking once.
func (b *Bot) cancelForm(ctx context.Context, r *Request, f *Form, st *FormState) error {
	if b.describe(r, f, st) != "" && st.Hold != holdCancel {
		return b.holdForm(ctx, r, f, st, holdCancel, "")
	}
	return b.discardForm(ctx, r, f, st, holdCancel, "")
}

// discardForm ends the form, saying what had been entered, then runs the
// command held back (hold holdCommand) or says what became of the message
// held back (holdResume).
func (b *Bot) discardForm(ctx context.Context, r *Request, f *Form, st *FormState, hold, pending string) error {
	if _, err := b.deleteForm(ctx, r, time.Time{}); err != nil {
		return err
	}
	if f.Closing != nil {
		r.reply(f.Closing(r, st), nil)
	} else {
		r.reply(r.t("form_cancelled", map[string]any{"Kept": b.describe(r, f, st)}), nil)
	}
	switch {
	case hold == holdCommand && pending != "":
		r.Command, r.Args = splitCommand(pending)
		return b.runCommand(ctx, r)
	case hold == holdResume && pending != "":
		r.say("unknown_text", nil)
	}
	return nil
}

// holdForm asks a question about the form itself (hold), keeping back
// what the user sent (pending) until it is answered.
func (b *Bot) holdForm(ctx context.Context, r *Request, f *Form, st *FormState, hold, pending string) error {
	st.Hold, st.Pending = hold, pending
	if hold == holdResume {
		st.Left = st.updatedAt
	}
	if err := b.saveForm(ctx, r, f.Kind, st); err != nil {
		return err
	}
	keep, discard := holdLabels(r, st)
	r.reply(b.holdText(r, f, st), [][]outbox.Button{{
		{Text: keep, Data: "f:" + st.Step + ":k"},
		{Text: discard, Data: "f:" + st.Step + ":d"},
	}})
	return nil
}

// holdLabels are the buttons of the open question about the form.
func holdLabels(r *Request, st *FormState) (keep, discard string) {
	if st.Hold == holdCommand {
		cmd, _ := splitCommand(st.Pending)
		return r.t("form_keep_first", nil), r.t("form_discard_run", map[string]any{"Command": "/" + cmd})
	}
	return r.t("form_keep", nil), r.t("form_discard", nil)
}

// holdText is the open question about the form.
func (b *Bot) holdText(r *Request, f *Form, st *FormState) string {
	data := map[string]any{"Title": b.title(r, f, st), "Kept": b.describe(r, f, st)}
	switch st.Hold {
	case holdCommand:
		cmd, _ := splitCommand(st.Pending)
		data["Command"] = "/" + cmd
		return r.t("form_ask_command", data)
	case holdResume:
		data["Text"] = clip(st.Pending, echoLen)
		data["At"] = r.time(st.Left)
		if _, s := f.step(st.Step); s != nil {
			data["Question"] = clip(s.Prompt(r, st), readingLen)
		}
		return r.t("form_ask_resume", data)
	}
	return r.t("form_ask_cancel", data)
}

// formBeforeCommand stops a command sent while a form waits: /cancel
// cancels it (asking first when something was entered), any other command
// asks whether to finish the form first or discard it and run the command.
// It reports whether the command was held back.
func (b *Bot) formBeforeCommand(ctx context.Context, r *Request) (bool, error) {
	f, st, err := b.loadForm(ctx, r)
	if err != nil || f == nil {
		return false, err
	}
	if r.Command == "cancel" {
		return true, b.cancelForm(ctx, r, f, st)
	}
	if f.EndsOnCommand {
		_, err := b.deleteForm(ctx, r, time.Time{})
		return false, err
	}
	return true, b.holdForm(ctx, r, f, st, holdCommand, strings.TrimSpace("/"+r.Command+" "+r.Args))
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
	if f.Closing != nil {
		return f.Closing(r, st)
	}
	return r.t("form_expired", map[string]any{"Hours": int(FormIdle / time.Hour), "Kept": b.describe(r, f, st)})
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
