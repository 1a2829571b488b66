package bot

import (
	"context"
	"time"

	"salesbot/models"
)

// Labels of the domain's values in the user's language, from the catalogue
// (stage_demo, attitude_warm, method_phone, drole_buyer, grade_A, objcat_price;
// the tables are in keys.go).

func (r *Request) stage(s models.Stage) string { return stageKeys.label(r.cat, r.Lang, s) }

func (r *Request) attitude(a models.Attitude) string { return attitudeKeys.label(r.cat, r.Lang, a) }

func (r *Request) method(m models.Method) string { return methodKeys.label(r.cat, r.Lang, m) }

func (r *Request) grade(g models.Grade) string { return gradeKeys.label(r.cat, r.Lang, g) }

func (r *Request) category(c models.ObjectionCategory) string {
	return categoryKeys.label(r.cat, r.Lang, c)
}

func (r *Request) decisionRole(d models.DecisionRole) string {
	return dRoleKeys.label(r.cat, r.Lang, d)
}

// role names a member's role: "rep" / "销售代表".
func (r *Request) role(role models.Role) string { return roleKeys.label(r.cat, r.Lang, role) }

// language is the request's language: its list separator, names, layouts.
func (r *Request) language() *Language { return r.cat.Language(r.Lang) }

// list joins items the way the language does ("a, b" / "a、b").
func (r *Request) list(items []string) string { return r.language().List(items) }

// day renders a calendar day in the request's language and zone.
func (r *Request) day(t time.Time) string { return r.language().FormatDay(t, r.Loc) }

func (r *Request) roles(roles []models.DecisionRole) string {
	names := make([]string, len(roles))
	for i, role := range roles {
		names[i] = r.decisionRole(role)
	}
	return r.list(names)
}

// contact renders "Li (buyer, user)".
// titled is a contact's name with their title, when they have one.
func (r *Request) titled(name, title string) string {
	if title == "" {
		return name
	}
	return r.t("contact_titled", map[string]any{"Name": name, "Title": title})
}

func (r *Request) contact(name string, roles []models.DecisionRole) string {
	if len(roles) == 0 {
		return name
	}
	return r.t("contact_with_roles", map[string]any{"Name": name, "Roles": r.roles(roles)})
}

// person renders a contact with title and roles in one bracket where the
// language wants it: "Wu, Head of IT (buyer)", "王经理(总经理,决策者)".
func (r *Request) person(name, title string, roles []models.DecisionRole) string {
	if title == "" {
		return r.contact(name, roles)
	}
	if len(roles) == 0 {
		return r.titled(name, title)
	}
	return r.t("contact_titled_roles", map[string]any{"Name": name, "Title": title, "Roles": r.roles(roles)})
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
