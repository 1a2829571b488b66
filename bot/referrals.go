package bot

// A won deal asks the rep for referrals: the process asks five new names
// for every client won. Each name typed becomes a new client card with the
// source "referral from <client>"; a name the team has already is told,
// not created twice; the form ends at five names, or with "That's all" or
// Skip. The cards are saved as each message comes, so nothing typed is
// lost when the rep stops.

import (
	"context"
	"strings"
	"unicode/utf8"

	"salesbot/internal/quick"
	"salesbot/models"
)

// ReferralsPerWin is how many referrals a won client is asked for.
const ReferralsPerWin = 5

// referralDraft is the referrals form's state: the won deal's client and
// the names added so far.
type referralDraft struct {
	TeamID int64 `json:"team"`
	// OwnerID is the won deal's rep, who owns the referred cards (a
	// manager may close the deal for them).
	OwnerID int64    `json:"owner"`
	Client  string   `json:"client"`
	Added   []string `json:"added,omitempty"`
}

var referralDrafts = draftStore[referralDraft, referralDraft]{"r", nil, func(d *referralDraft) *referralDraft { return d }}

// askReferrals starts the referrals form after deal d was won.
func (b *Bot) askReferrals(ctx context.Context, r *Request, d *models.Deal, client string) error {
	return startForm(ctx, b, r, "referrals", referralDrafts, &referralDraft{TeamID: d.TeamID, OwnerID: d.OwnerID, Client: client})
}

func (b *Bot) referralForm() *Form {
	names := &Step{ID: "names", Text: true, Optional: true, Columns: 1,
		Prompt: func(r *Request, st *FormState) string {
			d := referralDrafts.of(st)
			return r.t("referral_q", map[string]any{"Client": d.Client, "N": len(d.Added), "Max": ReferralsPerWin})
		},
		Choices: func(_ context.Context, r *Request, _ *FormState) ([]Choice, error) {
			return []Choice{{r.t("referral_done", nil), "done"}}, nil
		},
		Parse: b.parseReferrals,
		// Skipped, the names added stay.
		OnSkip: func(*FormState) {}}
	return &Form{
		Kind:  "referrals",
		Steps: []*Step{names},
		Done: func(_ context.Context, r *Request, st *FormState) error {
			r.reply(referralsSummary(r, referralDrafts.of(st)), nil)
			return nil
		},
		Closing: func(r *Request, st *FormState) string { return referralsSummary(r, referralDrafts.of(st)) },
		// The cards are saved already: a cancel keeps them and has
		// nothing to ask about.
		Describe:      func(*Request, *FormState) string { return "" },
		Subject:       func(st *FormState) string { return referralDrafts.of(st).Client },
		EndsOnCommand: true,
	}
}

// parseReferrals makes a client card of each new name typed, up to the
// cap, and says what became of every name.
func (b *Bot) parseReferrals(ctx context.Context, r *Request, st *FormState, a string) error {
	if a == "done" {
		return nil
	}
	d := referralDrafts.of(st)
	typed := quick.ParseNames(a)
	if len(typed) == 0 {
		return models.Errorf(models.EINVALID, "err_referral_empty", nil)
	}
	var added, existing, over []string
	seen := map[string]bool{}
	for _, name := range typed {
		key := models.NameKey(name)
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		if len(d.Added)+len(added) >= ReferralsPerWin {
			over = append(over, name)
			continue
		}
		if err := models.CheckText(models.FieldClientName, name, models.MaxNameLen); err != nil {
			b.renderError(r, err)
			continue
		}
		exact, _, err := b.matchForWrite(ctx, r, d.TeamID, name)
		if models.ErrorCode(err) == models.EFORBIDDEN {
			// A teammate's card of that name: it exists, so it is not
			// made twice (whose it is, the card says to those who see it).
			existing = append(existing, name)
			continue
		}
		if err != nil {
			return err
		}
		if exact != nil {
			existing = append(existing, exact.Name)
			continue
		}
		owner := d.OwnerID
		if owner == 0 {
			owner = r.User.ID
		}
		c := &models.Client{TeamID: d.TeamID, Name: name, OwnerID: owner, Source: referralSource(r, d.Client)}
		if err := b.store.CreateClient(ctx, c); err != nil {
			return err
		}
		added = append(added, c.Name)
	}
	d.Added = append(d.Added, added...)
	referralDrafts.store(st, d)
	var lines []string
	if len(added) > 0 {
		lines = append(lines, r.t("referral_added", map[string]any{"Names": r.list(added), "Client": d.Client, "N": len(d.Added), "Max": ReferralsPerWin}))
	}
	if len(existing) > 0 {
		lines = append(lines, r.t("referral_exists", map[string]any{"Names": r.list(existing)}))
	}
	if len(over) > 0 {
		lines = append(lines, r.t("referral_over", map[string]any{"Names": r.list(over), "Max": ReferralsPerWin}))
	}
	if len(lines) > 0 {
		r.reply(strings.Join(lines, "\n"), nil)
	}
	if len(d.Added) >= ReferralsPerWin {
		return nil // the five are in: the form ends
	}
	return ErrAskAgain
}

// referralSource is a referred card's source, "referral from Acme", cut
// to fit the source field.
func referralSource(r *Request, client string) string {
	s := r.t("referral_source", map[string]any{"Client": client})
	for utf8.RuneCountInString(s) > models.MaxShortLen {
		rs := []rune(client)
		client = string(rs[:len(rs)-1])
		s = r.t("referral_source", map[string]any{"Client": client + "…"})
	}
	return s
}

// referralsSummary is what the referrals of a won client came to.
func referralsSummary(r *Request, d *referralDraft) string {
	if len(d.Added) == 0 {
		return r.t("referral_none", map[string]any{"Client": d.Client})
	}
	return r.t("referral_thanks", map[string]any{"Client": d.Client, "N": len(d.Added), "Names": r.list(d.Added)})
}
