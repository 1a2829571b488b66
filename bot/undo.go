package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"salesbot/internal/outbox"
	"salesbot/internal/storage"
	"salesbot/models"
)

// Undo asks first. /undo and the Undo button under a confirmation show
// what undoing the entry would do (models.UndoEffect: the client card it
// created goes or stays and why, the stage going back, revisits opened or
// cancelled) with Undo and Keep buttons ("v:y:ID"/"v:k:ID" for a visit,
// "o:y:ID"/"o:k:ID" for an objection); only Undo takes it back, and the
// question turns into what was done. So pressing /undo again never takes
// back the entry before without asking.

// cmdUndo is /undo: the user's last visit or objection of the undo window.
func (b *Bot) cmdUndo(ctx context.Context, r *Request) error {
	kind, id, err := b.store.LastEntry(ctx, r.User.ID, r.Now.Add(-models.UndoWindow))
	if err != nil {
		return err
	}
	switch kind {
	case storage.EntryVisit:
		return b.askUndoVisit(ctx, r, id)
	case storage.EntryObjection:
		return b.askUndoObjection(ctx, r, id)
	}
	r.say("undo_nothing", map[string]any{"Hours": int(models.UndoWindow / time.Hour)})
	return nil
}

func undoTooOld(r *Request, createdAt time.Time) error {
	if r.Now.Sub(createdAt) > models.UndoWindow {
		return models.Errorf(models.EINVALID, "err_undo_too_old", map[string]any{"At": createdAt})
	}
	return nil
}

func undoButtons(r *Request, kind string, id int64) [][]outbox.Button {
	return [][]outbox.Button{{
		{Text: r.t("undo_btn_yes", nil), Data: fmt.Sprintf("%s:y:%d", kind, id)},
		{Text: r.t("undo_btn_keep", nil), Data: fmt.Sprintf("%s:k:%d", kind, id)},
	}}
}

// askUndoVisit shows what undoing the user's visit would do.
func (b *Bot) askUndoVisit(ctx context.Context, r *Request, id int64) error {
	v, fx, err := b.store.UndoVisitEffect(ctx, r.User, id)
	if err != nil {
		return undoRefused(r, err)
	}
	return askUndo(r, v.CreatedAt, r.t("undo_ask_visit", map[string]any{"Client": fx.Client.Name, "At": r.time(v.At)}), fx, "v", v.ID)
}

// undoRefused answers an entry storage would not let the user take back
// (storage's undoable: only their own, in a team they are still in) as a
// button that no longer works; other errors pass.
func undoRefused(r *Request, err error) error {
	if models.ErrorCode(err) == models.ENOTFOUND {
		r.say("button_stale", nil)
		return nil
	}
	return err
}

// askUndo asks whether to undo one of the user's entries (logged at
// createdAt; kind:id in the buttons): the question, then what undoing it
// would do (fx).
func askUndo(r *Request, createdAt time.Time, question string, fx *models.UndoEffect, kind string, id int64) error {
	if err := undoTooOld(r, createdAt); err != nil {
		return err
	}
	lines := append([]string{question}, undoLines(r, fx, false)...)
	r.reply(strings.Join(lines, "\n"), undoButtons(r, kind, id))
	return nil
}

// undoVisit takes back one of the user's visits of the undo window, after
// its question (questionID, which turns into what was done).
func (b *Bot) undoVisit(ctx context.Context, r *Request, v *models.Visit, questionID int) error {
	if err := undoTooOld(r, v.CreatedAt); err != nil {
		return err
	}
	s, err := b.store.UndoVisit(ctx, r.User, v.ID)
	if err != nil {
		return undoRefused(r, err)
	}
	lines := append([]string{r.t("visit_undone", map[string]any{"Client": s.Undo.Client.Name, "At": r.time(v.At)})}, undoLines(r, s.Undo, true)...)
	r.reply(strings.Join(lines, "\n"), nil)
	r.editLast(questionID)
	return nil
}

// askUndoObjection shows what undoing the user's objection would do.
func (b *Bot) askUndoObjection(ctx context.Context, r *Request, id int64) error {
	o, fx, err := b.store.UndoObjectionEffect(ctx, r.User, id)
	if err != nil {
		return undoRefused(r, err)
	}
	return askUndo(r, o.CreatedAt, r.t("undo_ask_objection", map[string]any{"Client": fx.Client.Name, "Category": r.category(o.Category)}), fx, "o", o.ID)
}

// undoObjection takes back one of the user's objections of the undo
// window, after its question.
func (b *Bot) undoObjection(ctx context.Context, r *Request, o *models.Objection, questionID int) error {
	if err := undoTooOld(r, o.CreatedAt); err != nil {
		return err
	}
	_, fx, err := b.store.UndoObjection(ctx, r.User, o.ID)
	if err != nil {
		return undoRefused(r, err)
	}
	lines := append([]string{r.t("objection_undone", map[string]any{"Client": fx.Client.Name, "Category": r.category(o.Category)})}, undoLines(r, fx, true)...)
	r.reply(strings.Join(lines, "\n"), nil)
	r.editLast(questionID)
	return nil
}

// keepEntry answers Keep: the question turns into "kept".
func keepEntry(r *Request, key string, data map[string]any) {
	r.reply(r.t(key, data), nil)
	r.editLast(r.MessageID)
}

// undoLines say what an undo will do (done false) or did: one line each.
func undoLines(r *Request, fx *models.UndoEffect, done bool) []string {
	c := fx.Client.Name
	var lines []string
	line := func(key string, data map[string]any) {
		data["Done"], data["Client"] = done, c
		lines = append(lines, r.t(key, data))
	}
	if fx.Cancels != nil {
		line("undo_line_cancels", map[string]any{"At": r.time(*fx.Cancels)})
	}
	if fx.StageBack {
		to := ""
		if fx.StageTo != models.StageNone {
			to = r.stage(fx.StageTo)
		}
		line("undo_line_stage", map[string]any{"From": r.stage(fx.StageFrom), "To": to})
	}
	if fx.DealTitle != "" {
		if fx.DealBack {
			to := ""
			if fx.DealTo != models.StageNone {
				to = r.stage(fx.DealTo)
			}
			line("undo_line_deal_stage", map[string]any{"Deal": fx.DealTitle, "From": r.stage(fx.DealFrom), "To": to})
		} else {
			line("undo_line_deal", map[string]any{"Deal": fx.DealTitle})
		}
	}
	for _, at := range fx.Reopens {
		line("undo_line_reopens", map[string]any{"At": r.time(at)})
	}
	if fx.Unlinked > 0 {
		line("undo_line_unlinked", map[string]any{"N": fx.Unlinked})
	}
	switch {
	case fx.ClientGoes:
		line("undo_line_client_goes", map[string]any{})
	case len(fx.Keeps) > 0:
		var holds []string
		for _, h := range fx.Keeps {
			holds = append(holds, r.t("undo_holds_"+string(h.Kind), map[string]any{"N": h.N}))
		}
		line("undo_line_client_stays", map[string]any{"Holds": r.list(holds)})
	}
	return lines
}
