package bot

import (
	"context"
	"time"

	"salesbot/models"
)

// Labels of the domain's values in the user's language, from the catalogue
// (stage_demo, attitude_warm, method_phone, drole_buyer, grade_A, objcat_price).

func (r *Request) stage(s models.Stage) string {
	if s == models.StageNone {
		return r.t("stage_none", nil)
	}
	return r.t("stage_"+string(s), nil)
}

func (r *Request) attitude(a models.Attitude) string { return r.t("attitude_"+string(a), nil) }

func (r *Request) method(m models.Method) string { return r.t("method_"+string(m), nil) }

func (r *Request) grade(g models.Grade) string {
	if g == models.GradeNone {
		return r.t("grade_none", nil)
	}
	return r.t("grade_"+string(g), nil)
}

func (r *Request) category(c models.ObjectionCategory) string { return r.t("objcat_"+string(c), nil) }

// language is the request's language: its list separator, names, layouts.
func (r *Request) language() *Language { return r.cat.Language(r.Lang) }

// list joins items the way the language does ("a, b" / "a、b").
func (r *Request) list(items []string) string { return r.language().List(items) }

// day renders a calendar day in the request's language and zone.
func (r *Request) day(t time.Time) string { return r.language().FormatDay(t, r.Loc) }

func (r *Request) roles(roles []models.DecisionRole) string {
	names := make([]string, len(roles))
	for i, role := range roles {
		names[i] = r.t("drole_"+string(role), nil)
	}
	return r.list(names)
}

// contact renders "Li (buyer, user)".
func (r *Request) contact(name string, roles []models.DecisionRole) string {
	if len(roles) == 0 {
		return name
	}
	return r.t("contact_with_roles", map[string]any{"Name": name, "Roles": r.roles(roles)})
}

// userName returns a member's name, cached per request.
func (b *Bot) userName(ctx context.Context, r *Request, id int64) string {
	if r.names == nil {
		r.names = map[int64]string{}
	}
	if n, ok := r.names[id]; ok {
		return n
	}
	n := "?"
	if u, err := b.store.User(ctx, id); err == nil {
		n = u.Name
	}
	r.names[id] = n
	return n
}
