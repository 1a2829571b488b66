package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"salesbot/internal/dates"
	"salesbot/internal/outbox"
	"salesbot/internal/quick"
	"salesbot/internal/storage"
	"salesbot/models"
)

// planWeekArg reads the week word of /plan: next (下周) or this (本周).
func planWeekArg(c *Catalogue, args string, now time.Time, loc *time.Location) (models.Week, string, bool) {
	first, rest, _ := strings.Cut(strings.TrimSpace(args), " ")
	this := models.WeekOf(now, loc)
	switch w, _ := c.wordOf(first, wordPlanNext, wordPlanThis); w {
	case wordPlanNext:
		return this.Next(), strings.TrimSpace(rest), true
	case wordPlanThis:
		return this, strings.TrimSpace(rest), true
	}
	// 下周一 / 本周三: the week word joined to its day.
	for i := range first {
		if i == 0 {
			continue
		}
		day := first[i:]
		if _, ok := dates.ParseWeekday(day); !ok {
			if _, ok := dates.ParseWeekday("周" + day); !ok {
				continue
			}
			day = "周" + day
		}
		switch w, _ := c.wordOf(first[:i], wordPlanNext, wordPlanThis); w {
		case wordPlanNext:
			return this.Next(), strings.TrimSpace(day + " " + rest), true
		case wordPlanThis:
			return this, strings.TrimSpace(day + " " + rest), true
		}
	}
	return this, args, false
}

func (b *Bot) planTeam(ctx context.Context, r *Request) (*models.Team, error) {
	id := r.User.PrimaryTeam()
	if id == 0 {
		return nil, models.Errorf(models.ENOTFOUND, "plan_no_team", nil)
	}
	return b.store.Team(ctx, id)
}

// /plan — this and next week's plan with status; /plan next|this [items]
// adds planned visits (the form without items).
func (b *Bot) cmdPlan(ctx context.Context, r *Request) error {
	team, err := b.planTeam(ctx, r)
	if err != nil {
		return err
	}
	loc := team.Location()
	week, rest, named := planWeekArg(r.cat, r.Args, r.Now, loc)
	if !named && strings.TrimSpace(r.Args) != "" {
		// Items without a week word are for next week: plans are made ahead.
		week, rest = models.WeekOf(r.Now, loc).Next(), r.Args
	} else if !named {
		return b.showPlans(ctx, r, team)
	}
	if strings.TrimSpace(rest) == "" {
		return b.StartForm(ctx, r, "plan", map[string]string{"week": week.Monday, "team": strconv.FormatInt(team.ID, 10)})
	}
	clients, err := b.planClients(ctx, r, team.ID, rest)
	if err != nil {
		return err
	}
	items, bad, badText := quick.ParsePlanItems(rest, clients)
	if bad != 0 {
		if t, ok := quick.BadTimeIn(badText); ok {
			return models.Errorf(models.EINVALID, "plan_time_impossible", map[string]any{"N": bad, "Item": badText, "Input": t})
		}
		if d, ok := dates.ParseWeekday(badText); ok {
			// a day and nothing else: the client is what is missing
			return models.Errorf(models.EINVALID, "plan_no_client", map[string]any{"N": bad, "Item": badText, "Day": r.language().Weekday(d)})
		}
		return models.Errorf(models.EINVALID, "plan_bad_item", map[string]any{"N": bad, "Item": badText})
	}
	if err := models.CheckCount("err_too_many_plan_items", len(items), models.MaxPlanItems); err != nil {
		return err
	}
	return b.savePlan(ctx, r, team, week, items, false)
}

// planClients are the clients a quick plan's items may name: its items'
// name prefixes (quick.PlanNamePrefixes) looked up in the name index in one
// read — the work is the message, not the team. A teammate's client the
// user may not see is among them without its id, so the item names it and
// savePlan refuses it with whose it is (hiddenClient) rather than opening
// a card named after its first word.
func (b *Bot) planClients(ctx context.Context, r *Request, team int64, text string) ([]*models.Client, error) {
	found, err := b.store.LookupClientNames(ctx, r.User, []int64{team}, quick.PlanNamePrefixes(text))
	if err != nil {
		return nil, err
	}
	clients := make([]*models.Client, 0, len(found))
	for _, l := range found {
		if l.Exact != nil {
			clients = append(clients, l.Exact)
		} else {
			clients = append(clients, &models.Client{TeamID: l.Hidden.TeamID, Name: l.Hidden.Name})
		}
	}
	return clients, nil
}

// savePlan stores parsed items (creating cards for new clients) and
// confirms with Undo and Add-another buttons.
// A plan item that is planned already (the same client on the same day,
// stored or earlier in the message) is asked about first, through the plan
// form's "again" step: nothing is stored before the answer, unless again
// says the user answered Yes.
func (b *Bot) savePlan(ctx context.Context, r *Request, team *models.Team, week models.Week, items []quick.PlanItem, again bool) error {
	newNames := map[string]bool{}
	for _, it := range items {
		if it.ClientID == 0 {
			// A teammate's client is not a new card: say whose it is.
			if err := b.hiddenClient(ctx, r, []int64{team.ID}, it.Client); err != nil {
				return err
			}
			newNames[models.NameKey(it.Client)] = true
		}
	}
	if err := models.CheckCount("err_too_many_new_clients", len(newNames), models.MaxNewClientsPerMessage); err != nil {
		return err
	}
	p := b.reportText(r.Lang, team.Location())
	today := models.CivilDate(r.Now, team.Location())
	for i, it := range items {
		if day := week.Day(models.WeekdayIndex(it.Weekday)); models.PlanDayPast(day, today) {
			return models.Errorf(models.EINVALID, "plan_day_past", map[string]any{"N": i + 1, "Client": it.Client, "Day": p.day(day)})
		}
	}
	if !again {
		dups, err := b.planDuplicates(ctx, r, week, items)
		if err != nil {
			return err
		}
		if len(dups) > 0 {
			return b.askPlanAgain(ctx, r, team, week, items, dups)
		}
	}
	var (
		rows    []models.PlannedVisit
		created []string
		saved   []models.PlannedVisit
	)
	// The new cards and the planned visits are one write: all or nothing.
	err := b.store.InTx(ctx, func(ctx context.Context) error {
		rows, created = rows[:0], created[:0]
		made := map[string]int64{}
		for i := range items {
			it := &items[i]
			if it.ClientID == 0 {
				key := models.NameKey(it.Client)
				id, ok := made[key]
				if !ok {
					// A visit planned to a new prospect opens its card.
					c := &models.Client{TeamID: team.ID, Name: it.Client, OwnerID: r.User.ID}
					if err := b.store.CreateClient(ctx, c); err != nil {
						return err
					}
					id, made[key] = c.ID, c.ID
					created = append(created, c.Name)
				}
				it.ClientID = id
			}
			rows = append(rows, models.PlannedVisit{TeamID: team.ID, RepID: r.User.ID, ClientID: it.ClientID,
				Day: week.Day(models.WeekdayIndex(it.Weekday)), Purpose: it.Purpose})
		}
		var err error
		saved, err = b.store.AddPlannedVisits(ctx, rows)
		return err
	})
	if err != nil {
		return err
	}
	var lines []string
	lo, hi := saved[0].ID, saved[0].ID
	for i, s := range saved {
		lines = append(lines, p.t("plan_item_pending", map[string]any{"Day": p.day(s.Day), "Client": items[i].Client, "Purpose": s.Purpose}))
		lo, hi = min(lo, s.ID), max(hi, s.ID)
	}
	_, num := week.ISO()
	text := r.t("plan_saved", map[string]any{"Num": num, "Items": strings.Join(lines, "\n")})
	if len(created) > 0 {
		text += "\n" + r.t("plan_saved_new", map[string]any{"Names": r.list(created)})
	}
	r.reply(text, [][]outbox.Button{{
		{Text: r.t("plan_add_another", nil), Data: "pl:a:" + week.Monday},
		{Text: r.t("plan_undo", nil), Data: fmt.Sprintf("pl:u:%d-%d", lo, hi)},
	}})
	return nil
}

// cbPlan handles the plan confirmation's buttons.
func (b *Bot) cbPlan(ctx context.Context, r *Request, payload string) error {
	action, value, _ := strings.Cut(payload, ":")
	switch action {
	case "u":
		a, z, _ := strings.Cut(value, "-")
		lo, ok1 := parseCanonicalID(a)
		hi, ok2 := parseCanonicalID(z)
		if !ok1 || !ok2 || hi < lo || hi-lo > 100 {
			r.say("button_stale", nil)
			return nil
		}
		ids := make([]int64, 0, hi-lo+1)
		for id := lo; id <= hi; id++ {
			ids = append(ids, id)
		}
		n, err := b.store.DeletePlannedVisits(ctx, r.User.ID, ids)
		if err != nil {
			return err
		}
		if n == 0 {
			r.say("plan_undo_none", nil)
			return nil
		}
		r.say("plan_undone", map[string]any{"N": n})
		r.editLast(r.MessageID)
		return nil
	case "s", "m", "r", "R", "n":
		return b.changePlanned(ctx, r, action, value)
	case "a":
		team, err := b.planTeam(ctx, r)
		if err != nil {
			return err
		}
		// Only a week the button could have offered: this week or next
		// (a past or far week would show a plan as missed or never due).
		this := models.WeekOf(r.Now, team.Location())
		if value != this.Monday && value != this.Next().Monday {
			r.say("button_stale", nil)
			return nil
		}
		return b.StartForm(ctx, r, "plan", map[string]string{"week": value, "team": strconv.FormatInt(team.ID, 10)})
	}
	r.say("button_stale", nil)
	return nil
}

// planForm asks client, day and purpose of one planned visit.
func (b *Bot) planForm() *Form {
	return &Form{
		Kind: "plan",
		Steps: []*Step{
			b.planClientStep(),
			b.planDayStep(),
			{
				ID:       "purpose",
				Prompt:   func(r *Request, _ *FormState) string { return r.t("plan_ask_purpose", nil) },
				Text:     true,
				Optional: true,
			},
			b.planAgainStep(),
		},
		Done:     b.planDone,
		Describe: b.describePlanForm,
	}
}

// planWeek and planTeamID are the week and team a plan form is for.
func planWeek(st *FormState) models.Week { return models.Week{Monday: st.Get("week")} }

func planTeamID(st *FormState) int64 {
	id, _ := strconv.ParseInt(st.Get("team"), 10, 64)
	return id
}

// setPlanClient makes c the plan item's client.
func setPlanClient(st *FormState, c *models.Client) {
	st.Set("client_id", strconv.FormatInt(c.ID, 10))
	st.Set("client", c.Name)
}

// planClientStep asks which client: one of the user's recent ones in the
// team (buttons), or a name typed (a client of the team, or a new name
// kept as typed).
func (b *Bot) planClientStep() *Step {
	return &Step{
		ID: "client",
		Prompt: func(r *Request, st *FormState) string {
			_, n := planWeek(st).ISO()
			return r.t("plan_ask_client", map[string]any{"Num": n})
		},
		Choices: func(ctx context.Context, r *Request, st *FormState) ([]Choice, error) {
			cs, err := b.store.RecentClients(ctx, r.User, 8)
			if err != nil {
				return nil, err
			}
			var out []Choice
			for _, c := range cs {
				if c.TeamID == planTeamID(st) {
					out = append(out, Choice{Label: c.Name, Value: idValue(c.ID)})
				}
			}
			return out, nil
		},
		Text: true,
		Parse: func(ctx context.Context, r *Request, st *FormState, answer string) error {
			if strings.HasPrefix(answer, "id:") {
				// An id is a button's answer; a typed or forged one
				// of a client the user may not see is no way in.
				cid, ok := parseID(answer)
				if !ok {
					return models.Errorf(models.EINVALID, "form_choose", nil)
				}
				c, err := b.store.Client(ctx, r.User, cid)
				if models.ErrorCode(err) == models.ENOTFOUND || err == nil && c.TeamID != planTeamID(st) {
					return models.Errorf(models.EINVALID, "form_choose", nil)
				}
				if err != nil {
					return err
				}
				setPlanClient(st, c)
				return nil
			}
			name := strings.TrimSpace(answer)
			if models.NameKey(name) == "" {
				return models.Errorf(models.EINVALID, "plan_client_empty", nil)
			}
			st.Set("client_id", "")
			st.Set("client", name)
			c, err := b.store.ClientByName(ctx, r.User, planTeamID(st), name)
			switch {
			case err == nil:
				setPlanClient(st, c)
			case models.ErrorCode(err) != models.ENOTFOUND:
				return err
			}
			return nil
		},
	}
}

// planDayStep asks the day of the plan's week (buttons, a date or a
// weekday typed).
func (b *Bot) planDayStep() *Step {
	return &Step{
		ID:      "day",
		Prompt:  func(r *Request, _ *FormState) string { return r.t("plan_ask_day", nil) },
		Columns: 4,
		Text:    true,
		Choices: func(_ context.Context, r *Request, st *FormState) ([]Choice, error) {
			p := b.reportText(r.Lang, time.UTC)
			var out []Choice
			for _, d := range planWeek(st).Days() {
				out = append(out, Choice{Label: p.day(d), Value: d})
			}
			return out, nil
		},
		Parse: func(_ context.Context, _ *Request, st *FormState, answer string) error {
			if planWeek(st).Contains(answer) {
				st.Set("day", answer)
				return nil
			}
			if d, ok := dates.ParseWeekday(answer); ok {
				st.Set("day", planWeek(st).Day(models.WeekdayIndex(d)))
				return nil
			}
			return models.Errorf(models.EINVALID, "plan_bad_day", nil)
		},
	}
}

// planDone saves the plan form's items as the "again" step's answer says:
// Yes, all of them; No, those not planned already; none asked yet,
// savePlan asks when one is.
func (b *Bot) planDone(ctx context.Context, r *Request, st *FormState) error {
	team, err := b.store.Team(ctx, planTeamID(st))
	if err != nil {
		return err
	}
	items, err := planItemsOf(st)
	if err != nil {
		return err
	}
	switch st.Get("again") {
	case "yes":
		return b.savePlan(ctx, r, team, planWeek(st), items, true)
	case "no":
		return b.planNotAgain(ctx, r, team, planWeek(st), items)
	}
	return b.savePlan(ctx, r, team, planWeek(st), items, false)
}

// describePlanForm is what a cancelled or expired plan form had: the items
// held back for the "again" question, or the answers so far.
func (b *Bot) describePlanForm(r *Request, st *FormState) string {
	var lines []string
	if st.Get("items") != "" {
		items, _ := planItemsOf(st)
		p := b.reportText(r.Lang, time.UTC)
		for _, it := range items {
			lines = append(lines, p.t("plan_item_pending", map[string]any{
				"Day": p.day(planWeek(st).Day(models.WeekdayIndex(it.Weekday))), "Client": it.Client, "Purpose": it.Purpose}))
		}
		return strings.Join(lines, "\n")
	}
	for _, k := range []string{"client", "day", "purpose"} {
		if v := st.Get(k); v != "" {
			lines = append(lines, "• "+v)
		}
	}
	return strings.Join(lines, "\n")
}

// showPlans lists this and next week's planned visits with their status.
func (b *Bot) showPlans(ctx context.Context, r *Request, team *models.Team) error {
	this := models.WeekOf(r.Now, team.Location())
	p := b.reportText(r.Lang, team.Location())
	var blocks []string
	var change []outbox.Button
	for i, w := range []models.Week{this, this.Next()} {
		rw, err := b.reports.RepWeek(ctx, r.User, team, r.User.ID, w)
		if err != nil {
			return err
		}
		label := r.t("plan_label_this", nil)
		if i == 1 {
			label = r.t("plan_label_next", nil)
		}
		blocks = append(blocks, b.planBlock(r, rw, label))
		// A planned visit not made yet can be moved or removed.
		for _, it := range rw.Plan.Items {
			if it.Status != models.PlanDone && len(change) < maxPlanButtons {
				change = append(change, outbox.Button{Text: clip(p.day(it.Planned.Day)+" "+rw.Clients[it.Planned.ClientID], 28),
					Data: fmt.Sprintf("pl:s:%d", it.Planned.ID)})
			}
		}
	}
	hint := r.t("plan_hint", nil)
	if len(change) > 0 {
		hint = r.t("plan_change_hint", nil) + "\n" + hint
	}
	blocks = append(blocks, hint)
	msgs := packMessages(blocks, MaxMessageLen-96)
	for i, m := range msgs {
		var rows [][]outbox.Button
		if i == len(msgs)-1 {
			rows = grid(change, 2)
		}
		r.reply(m, rows)
	}
	return nil
}

func (b *Bot) planBlock(r *Request, rw *models.RepWeekly, label string) string {
	p := b.reportText(r.Lang, rw.Loc)
	wd := p.weekData(rw.Week)
	wd["Label"] = label
	lines := []string{p.t("plan_week_header", wd)}
	if len(rw.Plan.Items) == 0 {
		lines = append(lines, r.t("plan_empty", nil))
	}
	for _, it := range rw.Plan.Items {
		data := map[string]any{"Day": p.day(it.Planned.Day), "Client": rw.Clients[it.Planned.ClientID], "Purpose": it.Planned.Purpose}
		key := "plan_item_pending"
		switch {
		case it.Status == models.PlanDone:
			key, data["Visited"] = "plan_item_done", p.day(it.Visit.Day)
		case it.Status == models.PlanMissed:
			key = "plan_item_missed"
		case it.Overdue:
			key = "plan_item_overdue"
		}
		lines = append(lines, p.t(key, data))
	}
	if rw.Plan.Planned > 0 || len(rw.Plan.Unplanned) > 0 {
		lines = append(lines, p.t("plan_progress", map[string]any{"Done": rw.Plan.Done, "Planned": rw.Plan.Planned, "Unplanned": len(rw.Plan.Unplanned)}))
	}
	return strings.Join(lines, "\n")
}

// /me: the user's own week: visits, plan, objections.
func (b *Bot) cmdMe(ctx context.Context, r *Request) error {
	team, err := b.planTeam(ctx, r)
	if err != nil {
		return err
	}
	w := models.WeekOf(r.Now, team.Location())
	rw, err := b.reports.RepWeek(ctx, r.User, team, r.User.ID, w)
	if err != nil {
		return err
	}
	p := b.reportText(r.Lang, team.Location())
	wd := p.weekData(w)
	wd["Name"] = r.User.Name
	lines := []string{p.t("me_header", wd)}
	if len(rw.Visits) == 0 {
		lines = append(lines, p.t("me_no_visits", nil))
	} else {
		lines = append(lines, p.t("me_visits", map[string]any{"Count": len(rw.Visits)}))
		for _, v := range rw.Visits {
			lines = append(lines, p.t("me_visit_line", map[string]any{"Day": p.day(models.CivilDate(v.At, p.loc)), "Time": p.clock(v.At),
				"Client": v.Client, "Stage": p.stage(v.Stage), "Attitude": p.attitude(v.Attitude)}))
		}
	}
	blocks := []string{strings.Join(lines, "\n"), b.planBlock(r, rw, r.t("plan_label_this", nil))}
	month, err := b.meTargets(ctx, r, team)
	if err != nil {
		return err
	}
	blocks = append(blocks, month)
	if len(rw.Objections) > 0 {
		ol := []string{p.t("me_objections", map[string]any{"Count": len(rw.Objections)})}
		for _, o := range rw.Objections {
			ol = append(ol, p.t("digest_objection_line", map[string]any{"Client": o.Client, "Category": p.category(o.Category),
				"Words": squeeze(o.Words, 120), "Resolved": o.Resolved}))
		}
		blocks = append(blocks, strings.Join(ol, "\n"))
	}
	for _, m := range packMessages(blocks, MaxMessageLen-96) {
		r.reply(m, nil)
	}
	return nil
}

// planItemsOf is what the plan form saves: the items a quick /plan held
// back for the "again" question, or the one item the form asked.
func planItemsOf(st *FormState) ([]quick.PlanItem, error) {
	if s := st.Get("items"); s != "" {
		var items []quick.PlanItem
		if err := json.Unmarshal([]byte(s), &items); err != nil {
			return nil, fmt.Errorf("read held plan items: %w", err)
		}
		return items, nil
	}
	it := quick.PlanItem{Weekday: models.Weekday(st.Get("day")), Client: st.Get("client"), Purpose: st.Get("purpose")}
	it.ClientID, _ = strconv.ParseInt(st.Get("client_id"), 10, 64)
	return []quick.PlanItem{it}, nil
}

// planDup is a plan item that is planned already, as the question shows it.
type planDup struct {
	Day    string `json:"day"`
	Client string `json:"client"`
}

// planDuplicates lists the items planned already: the same client on the
// same day in the rep's plan, or earlier in the same message.
func (b *Bot) planDuplicates(ctx context.Context, r *Request, week models.Week, items []quick.PlanItem) ([]planDup, error) {
	var known []models.PlannedVisit
	for _, it := range items {
		if it.ClientID != 0 {
			known = append(known, models.PlannedVisit{ClientID: it.ClientID, Day: week.Day(models.WeekdayIndex(it.Weekday))})
		}
	}
	stored, err := b.store.PlannedOn(ctx, r.User.ID, known)
	if err != nil {
		return nil, err
	}
	var dups []planDup
	inMessage := map[string]bool{}
	for _, it := range items {
		day := week.Day(models.WeekdayIndex(it.Weekday))
		key := "new " + models.NameKey(it.Client) + " " + day
		if it.ClientID != 0 {
			key = storage.PlanKey(it.ClientID, day)
		}
		if stored[key] || inMessage[key] {
			dups = append(dups, planDup{Day: day, Client: it.Client})
		}
		inMessage[key] = true
	}
	return dups, nil
}

// askPlanAgain holds the items back and asks whether to plan the
// duplicates again.
func (b *Bot) askPlanAgain(ctx context.Context, r *Request, team *models.Team, week models.Week, items []quick.PlanItem, dups []planDup) error {
	held, err := json.Marshal(items)
	if err != nil {
		return fmt.Errorf("hold plan items: %w", err)
	}
	shown, err := json.Marshal(dups)
	if err != nil {
		return fmt.Errorf("hold plan duplicates: %w", err)
	}
	st := &FormState{Data: map[string]string{"week": week.Monday, "team": strconv.FormatInt(team.ID, 10),
		"items": string(held), "dups": string(shown), "others": strconv.Itoa(len(items) - len(dups))}}
	return b.AskStep(ctx, r, "plan", "again", st)
}

// planAgainStep asks, only when a plan item is planned already, whether
// to plan it again (Yes) or leave it out (No); nothing is stored before.
func (b *Bot) planAgainStep() *Step {
	return &Step{ID: "again", When: never,
		Prompt: func(r *Request, st *FormState) string {
			var dups []planDup
			_ = json.Unmarshal([]byte(st.Get("dups")), &dups)
			p := b.reportText(r.Lang, time.UTC)
			lines := make([]string, len(dups))
			for i, d := range dups {
				lines[i] = "• " + p.day(d.Day) + " " + d.Client
			}
			others, _ := strconv.Atoi(st.Get("others"))
			return r.t("plan_q_again", map[string]any{"Items": strings.Join(lines, "\n"), "N": len(dups), "Others": others})
		},
		Choices: func(_ context.Context, r *Request, _ *FormState) ([]Choice, error) {
			return []Choice{{r.t("plan_again_yes", nil), "yes"}, {r.t("plan_again_no", nil), "no"}}, nil
		},
		Parse: func(_ context.Context, _ *Request, st *FormState, a string) error {
			st.Set("again", a)
			return nil
		}}
}

// planNotAgain is No to "plan it again?": the items that were not planned
// already are saved, the others left out.
func (b *Bot) planNotAgain(ctx context.Context, r *Request, team *models.Team, week models.Week, items []quick.PlanItem) error {
	dups, err := b.planDuplicates(ctx, r, week, items)
	if err != nil {
		return err
	}
	drop := map[string]int{}
	for _, d := range dups {
		drop[d.Day+" "+models.NameKey(d.Client)]++
	}
	var rest []quick.PlanItem
	for _, it := range items {
		k := week.Day(models.WeekdayIndex(it.Weekday)) + " " + models.NameKey(it.Client)
		if drop[k] > 0 {
			drop[k]--
			continue
		}
		rest = append(rest, it)
	}
	if len(rest) == 0 {
		r.say("plan_again_dropped", nil)
		return nil
	}
	return b.savePlan(ctx, r, team, week, rest, true)
}

// maxPlanButtons bounds the /plan list's buttons (two weeks of plans).
const maxPlanButtons = 40

// changePlanned moves or removes one planned visit from /plan's list:
// "pl:s:ID" asks which, "pl:m:ID:DAY" moves it to a later day of its week
// (today included), "pl:r:ID" asks before "pl:R:ID" removes it, "pl:n:ID"
// keeps it.
func (b *Bot) changePlanned(ctx context.Context, r *Request, action, value string) error {
	idText, day, _ := strings.Cut(value, ":")
	id, ok := parseCanonicalID(idText)
	if !ok {
		r.say("button_stale", nil)
		return nil
	}
	pv, err := b.store.PlannedVisit(ctx, r.User, id)
	if err != nil {
		return sayIfGone(r, err, "plan_item_gone")
	}
	team, err := b.store.Team(ctx, pv.TeamID)
	if err != nil {
		return err
	}
	p := b.reportText(r.Lang, team.Location())
	today := models.CivilDate(r.Now, team.Location())
	week := models.Week{Monday: pv.WeekStart}
	data := map[string]any{"Client": pv.ClientName, "Day": p.day(pv.Day)}
	// The days it may move to: the rest of its week, as a new plan item
	// may be (never a day that has passed).
	var days []string
	for _, d := range week.Days() {
		if d != pv.Day && !models.PlanDayPast(d, today) {
			days = append(days, d)
		}
	}
	switch action {
	case "s":
		item := p.t("plan_item_pending", map[string]any{"Day": p.day(pv.Day), "Client": pv.ClientName, "Purpose": pv.Purpose})
		var bs []outbox.Button
		for _, d := range days {
			bs = append(bs, outbox.Button{Text: p.day(d), Data: fmt.Sprintf("pl:m:%d:%s", pv.ID, d)})
		}
		rows := append(grid(bs, 3), []outbox.Button{{Text: r.t("plan_remove", nil), Data: fmt.Sprintf("pl:r:%d", pv.ID)}})
		key := "plan_item_q"
		if len(days) == 0 {
			key = "plan_item_q_nodays"
		}
		r.reply(r.t(key, map[string]any{"Item": item}), rows)
		return nil
	case "m":
		if !slices.Contains(days, day) {
			r.say("button_stale", nil)
			return nil
		}
		moved, err := b.store.MovePlannedVisit(ctx, r.User.ID, pv.ID, day)
		if err != nil {
			return err
		}
		if !moved {
			r.say("plan_item_gone", nil)
			return nil
		}
		r.reply(r.t("plan_moved", map[string]any{"Client": pv.ClientName, "From": p.day(pv.Day), "To": p.day(day)}), nil)
		r.editLast(r.MessageID)
		return nil
	case "r":
		r.reply(r.t("plan_remove_q", data), [][]outbox.Button{{
			{Text: r.t("plan_remove_yes", nil), Data: fmt.Sprintf("pl:R:%d", pv.ID)},
			{Text: r.t("plan_keep", nil), Data: fmt.Sprintf("pl:n:%d", pv.ID)},
		}})
		r.editLast(r.MessageID)
		return nil
	case "R":
		n, err := b.store.DeletePlannedVisits(ctx, r.User.ID, []int64{pv.ID})
		if err != nil {
			return err
		}
		if n == 0 {
			r.say("plan_item_gone", nil)
			return nil
		}
		r.reply(r.t("plan_removed", data), nil)
		r.editLast(r.MessageID)
		return nil
	case "n":
		r.reply(r.t("plan_kept", data), nil)
		r.editLast(r.MessageID)
		return nil
	}
	r.say("button_stale", nil)
	return nil
}
