package bot

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"salesbot/internal/quick"
	"salesbot/models"
)

// Labels of the deal enums, one key per value (keys.go explains why).
var (
	stepKeys   = keysFor("dstep_", models.ProcurementSteps...)
	lostKeys   = keysFor("dlost_", models.LostReasons...)
	budgetKeys = keysFor("dbudget_", models.BudgetStatuses...)
	dealStates = keysFor("dstate_", models.DealOpen, models.DealWon, models.DealLost)
)

// cmdDeal is /deal: a new deal ("/deal Acme; 20 trucks; 3.2M CNY; close
// 2027-03; vs Brand X"), or closing one ("/deal won Acme", "/deal lost
// Acme price "too expensive"").
func (b *Bot) cmdDeal(ctx context.Context, r *Request) error {
	args := strings.TrimSpace(r.Args)
	if args == "" {
		if _, err := b.writeTeam(r); err != nil {
			return err
		}
		r.say("usage_deal_form", nil)
		return startForm(ctx, b, r, "deal", dealDrafts, &dealDraft{})
	}
	if won, rest, ok := quick.ParseDealVerb(args); ok {
		return b.closeDeal(ctx, r, won, rest)
	}
	in, err := quick.ParseDeal(args, b.clock.Now(), r.Loc)
	if err != nil {
		return err
	}
	if id, ok := strings.CutPrefix(in.Client, "#"); ok {
		n, ok := parseCanonicalID(id)
		if !ok {
			return models.Errorf(models.ENOTFOUND, "err_deal_gone", nil)
		}
		if !in.IsChange() {
			return models.Errorf(models.EINVALID, "err_deal_change_what", map[string]any{"ID": n})
		}
		return b.changeDeal(ctx, r, n, &in)
	}
	c, near, err := b.findClient(ctx, r, in.Client)
	if err != nil {
		return err
	}
	if c == nil && (len(near) > 0 || in.IsChange()) {
		// A near name asks "did you mean"; a change needs a deal to change.
		_, err := b.clientNamed(ctx, r, in.Client, clientArg{Prefix: "c:v:"})
		return err
	}
	if c == nil {
		// A name nobody has is a new client, as with /visit.
		if err := tooLong(in.Client, models.MaxNameLen); err != nil {
			return err
		}
		team, err := b.writeTeam(r)
		if err != nil {
			return err
		}
		d := newDeal(in)
		if d.Title == "" {
			d.Title = dealTitle(r, in, &models.Client{Name: in.Client})
		}
		return b.createDeal(ctx, r, &models.Client{TeamID: team, Name: in.Client, OwnerID: r.User.ID}, d)
	}
	// "/deal Acme; next demo friday" says something of Acme's open deal
	// rather than naming a new one.
	if in.IsChange() {
		open, err := b.openDealsOf(ctx, r, c.ID)
		if err != nil {
			return err
		}
		switch {
		case len(open) == 1:
			return b.changeDeal(ctx, r, open[0].ID, &in)
		case len(open) > 1:
			lines := []string{r.t("deal_which", map[string]any{"Client": c.Name})}
			for _, d := range open {
				lines = append(lines, fmt.Sprintf("#%d %s", d.ID, b.dealLine(ctx, r, d, "", false)))
			}
			_, rest, _ := strings.Cut(args, ";")
			if rest == "" {
				_, rest, _ = strings.Cut(args, "；")
			}
			lines = append(lines, r.t("deal_which_change", map[string]any{"Example": fmt.Sprintf("/deal #%d;%s", open[0].ID, rest)}))
			r.reply(strings.Join(lines, "\n"), nil)
			return nil
		}
	}
	d := newDeal(in)
	if d.Title == "" {
		d.Title = dealTitle(r, in, c)
	}
	return b.createDeal(ctx, r, c, d)
}

// newDeal is the deal a quick /deal names (its client still to be set).
func newDeal(in quick.Deal) *models.Deal {
	return &models.Deal{
		Title: in.Title, Product: in.Product, Units: in.Units,
		Value: models.Money{Minor: in.Value.Minor, Currency: in.Value.Currency}, CloseMonth: in.Close,
		Budget: in.Budget, BudgetAmount: models.Money{Minor: in.BudgetValue.Minor, Currency: in.BudgetValue.Currency},
		Step: in.Step, Stage: in.Stage, NextStep: in.NextStep, NextStepAt: in.NextStepAt, Competitors: in.Competitors,
	}
}

// createDeal saves d on client c — a card not saved yet (ID 0) is created
// with it, in one transaction: a deal that is refused leaves no card
// behind — and confirms it.
func (b *Bot) createDeal(ctx context.Context, r *Request, c *models.Client, d *models.Deal) error {
	created := c.ID == 0
	err := b.store.InTx(ctx, func(ctx context.Context) error {
		if created {
			if err := b.store.CreateClient(ctx, c); err != nil {
				return err
			}
		}
		d.ClientID = c.ID
		return b.store.CreateDeal(ctx, r.User, d)
	})
	if err != nil {
		return err
	}
	b.sayDealSaved(r, c.Name, d)
	if created {
		r.say("deal_client_new", map[string]any{"Client": c.Name})
	}
	return nil
}

// dealTitle names a deal typed without a title: its product, else its
// quantity as typed ("20 trucks"), else the client.
func dealTitle(r *Request, in quick.Deal, c *models.Client) string {
	switch {
	case in.Product != "":
		return in.Product
	case in.Units > 0 && in.UnitWord != "":
		return r.t("deal_title_units", map[string]any{"N": in.Units, "Word": in.UnitWord})
	}
	return c.Name
}

// titleSaysUnits tells whether a deal's title is its quantity as typed
// ("5 units", "20台": what dealTitle names a deal without a product), so
// a line that shows the title need not repeat the quantity.
func titleSaysUnits(title string, units int64) bool {
	n := strconv.FormatInt(units, 10)
	if units <= 0 || !strings.HasPrefix(title, n) {
		return false
	}
	rest := title[len(n):]
	return rest != "" && (rest[0] < '0' || rest[0] > '9') && rest[0] != '.' && rest[0] != ','
}

// dealDetails are the lines of a deal's fields that are set.
func dealDetails(r *Request, d *models.Deal) []string {
	var out []string
	add := func(key string, v any) { out = append(out, r.t(key, map[string]any{"V": v})) }
	if d.Product != "" && d.Product != d.Title {
		add("deal_f_product", d.Product)
	}
	if d.Units > 0 {
		add("deal_f_units", d.Units)
	}
	if !d.Value.IsZero() {
		add("deal_f_value", money(d.Value))
	}
	if !d.CloseMonth.IsZero() {
		add("deal_f_close", d.CloseMonth.Key())
	}
	if d.Budget != models.BudgetUnknown {
		v := budgetKeys.label(r.cat, r.Lang, d.Budget)
		if !d.BudgetAmount.IsZero() {
			v += " " + money(d.BudgetAmount)
		}
		add("deal_f_budget", v)
	}
	if d.Step != models.StepNone {
		add("deal_f_step", stepKeys.label(r.cat, r.Lang, d.Step))
	}
	if d.Stage != models.StageNone {
		add("deal_f_stage", r.stage(d.Stage))
	}
	if len(d.Competitors) > 0 {
		names := make([]string, len(d.Competitors))
		for i, c := range d.Competitors {
			names[i] = c.Text(r.t("deal_competitor_rep", nil))
		}
		add("deal_f_competitors", r.list(names))
	}
	if next := nextStepText(r, d); next != "" {
		add("deal_f_next", next)
	}
	return out
}

// nextStepText is a deal's next step as a card and a list line show it
// (with its time when it has one); "" when it has none.
func nextStepText(r *Request, d *models.Deal) string {
	if d.NextStepAt.IsZero() {
		return d.NextStep
	}
	return r.t("deal_next_at", map[string]any{"Step": d.NextStep, "At": r.time(d.NextStepAt)})
}

// money writes an amount as "3,200,000 CNY" (cents only when there are).
func money(m models.Money) string {
	neg := m.Minor < 0
	v := m.Minor
	if neg {
		v = -v
	}
	whole := strconv.FormatInt(v/100, 10)
	var sb strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			sb.WriteByte(',')
		}
		sb.WriteRune(c)
	}
	s := sb.String()
	if cents := v % 100; cents != 0 {
		s += fmt.Sprintf(".%02d", cents)
	}
	if neg {
		s = "-" + s
	}
	if m.Currency != "" {
		s += " " + m.Currency
	}
	return s
}

// dealLine is a deal in a list: "2027-03 · Acme — 20 trucks · 20 · 3,200,000 CNY".
func (b *Bot) dealLine(ctx context.Context, r *Request, d *models.Deal, client string, withRep bool) string {
	bits := []string{}
	if !d.CloseMonth.IsZero() {
		m := d.CloseMonth.Key()
		if d.Overdue(models.MonthOf(b.clock.Now(), r.Loc)) {
			m = r.t("deal_overdue", map[string]any{"Month": m})
		}
		bits = append(bits, m)
	} else {
		bits = append(bits, r.t("deal_no_close", nil))
	}
	head := d.Title
	if client != "" {
		head = client + " — " + d.Title
	}
	bits = append(bits, head)
	if d.Units > 0 && !titleSaysUnits(d.Title, d.Units) {
		bits = append(bits, r.t("deal_units", map[string]any{"N": d.Units}))
	}
	if !d.Value.IsZero() {
		bits = append(bits, money(d.Value))
	}
	if d.Stage != models.StageNone && d.State == models.DealOpen {
		bits = append(bits, r.stage(d.Stage))
	}
	if next := nextStepText(r, d); d.State == models.DealOpen && next != "" {
		bits = append(bits, r.t("deal_line_next", map[string]any{"Next": next}))
	}
	if withRep {
		bits = append(bits, b.userName(ctx, r, d.OwnerID))
	}
	return strings.Join(bits, " · ")
}

// dealsShown is how many deals /deals lists: what a chat message holds
// and a person reads; /pipeline and /export cover the rest.
const dealsShown = 30

// cmdDeals is /deals: the open deals the user works (a manager: the
// team's), by expected close.
func (b *Bot) cmdDeals(ctx context.Context, r *Request) error {
	team, err := b.writeTeam(r)
	if err != nil {
		return err
	}
	deals, err := b.store.OpenDeals(ctx, r.User, team)
	if err != nil {
		return err
	}
	if len(deals) == 0 {
		r.say("deals_none", nil)
		return nil
	}
	withRep := r.User.SeesTeam(team)
	key := "deals_header"
	if withRep {
		key = "deals_header_team"
	}
	lines := []string{r.t(key, map[string]any{"N": len(deals)})}
	var units, value int64
	currency, seen, mixed, blank := "", false, false, false
	// The first dealsShown are listed (their clients read at once); the
	// totals are of all.
	shown := deals[:min(len(deals), dealsShown)]
	ids := make([]int64, len(shown))
	for i, d := range shown {
		ids[i] = d.ClientID
	}
	clients, err := b.store.ClientsByID(ctx, r.User, ids)
	if err != nil {
		return err
	}
	for i, d := range shown {
		client := "?"
		if c, ok := clients[d.ClientID]; ok {
			client = c.Name
		}
		lines = append(lines, fmt.Sprintf("%d. %s", i+1, b.dealLine(ctx, r, d, client, withRep)))
	}
	if more := len(deals) - len(shown); more > 0 {
		lines = append(lines, r.t("deals_more", map[string]any{"N": more}))
	}
	for _, d := range deals {
		units += d.Units
		if !d.Value.IsZero() {
			// A value without a currency is not summed with one that has
			// one: the first of each currency decides.
			if seen && d.Value.Currency != currency {
				mixed = true
			}
			currency, seen = d.Value.Currency, true
			blank = blank || d.Value.Currency == ""
			value += d.Value.Minor
		}
	}
	if mixed {
		lines = append(lines, r.t("deals_total_units", map[string]any{"Units": units, "Blank": blank}))
	} else {
		lines = append(lines, r.t("deals_total", map[string]any{"Units": units, "Value": money(models.Money{Minor: value, Currency: currency})}))
	}
	r.reply(strings.Join(lines, "\n"), nil)
	return nil
}

// dealCardLines are the client card's deals: open ones, then closed.
func (b *Bot) dealCardLines(ctx context.Context, r *Request, c *models.Client) ([]string, error) {
	deals, err := b.store.ClientDeals(ctx, r.User, c.ID)
	if err != nil || len(deals) == 0 {
		return nil, err
	}
	lines := []string{r.t("card_deals", map[string]any{"N": len(deals)})}
	for _, st := range []models.DealState{models.DealOpen, models.DealWon, models.DealLost} {
		for _, d := range deals {
			if d.State != st {
				continue
			}
			l := "• " + dealStates.label(r.cat, r.Lang, d.State) + " " + b.dealLine(ctx, r, d, "", false)
			if d.State == models.DealLost {
				l += " · " + lostKeys.label(r.cat, r.Lang, d.LostReason)
			}
			lines = append(lines, l)
		}
	}
	return lines, nil
}

// closeDeal is "/deal won …" and "/deal lost …".
func (b *Bot) closeDeal(ctx context.Context, r *Request, won bool, rest string) error {
	in, err := quick.ParseDealClose(won, rest)
	if err != nil {
		return err
	}
	if in.Client == "" {
		r.say("usage_deal_close", nil)
		return nil
	}
	var dealID int64
	if id, ok := strings.CutPrefix(in.Client, "#"); ok {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n <= 0 {
			return models.Errorf(models.ENOTFOUND, "err_deal_gone", nil)
		}
		dealID = n
	} else {
		c, err := b.clientNamed(ctx, r, in.Client, clientArg{Prefix: "c:v:"})
		if c == nil || err != nil {
			return err
		}
		deals, err := b.store.ClientDeals(ctx, r.User, c.ID)
		if err != nil {
			return err
		}
		var open []*models.Deal
		for _, d := range deals {
			if d.State == models.DealOpen {
				open = append(open, d)
			}
		}
		switch len(open) {
		case 0:
			r.say("deal_none_open", map[string]any{"Client": c.Name})
			return nil
		case 1:
			dealID = open[0].ID
		default:
			lines := []string{r.t("deal_which", map[string]any{"Client": c.Name})}
			for _, d := range open {
				lines = append(lines, fmt.Sprintf("#%d %s", d.ID, b.dealLine(ctx, r, d, "", false)))
			}
			verb := "won"
			if !won {
				verb = "lost"
			}
			lines = append(lines, r.t("deal_which_example", map[string]any{"Verb": verb, "ID": open[0].ID}))
			r.reply(strings.Join(lines, "\n"), nil)
			return nil
		}
	}
	if !won && in.Reason == "" {
		return b.askLostReason(ctx, r, dealID, in.Words, in.To)
	}
	now := b.clock.Now()
	d, err := b.store.CloseDeal(ctx, r.User, dealID, func(d *models.Deal) error {
		if won {
			return d.Won(now, in.Units, models.Money{Minor: in.Value.Minor, Currency: in.Value.Currency})
		}
		return d.Lost(now, in.Reason, in.Words, in.To)
	})
	if err != nil {
		return err
	}
	client := b.sayClosed(ctx, r, d)
	switch {
	case d.State == models.DealWon:
		return b.askReferrals(ctx, r, d, client)
	case d.LostReason == models.LostCompetitor && d.LostTo == "":
		// "/deal lost Acme competitor" names none: which one is asked, as
		// after the reason button (the words too, unless typed).
		return b.askLostNote(ctx, r, d)
	}
	return nil
}

// sayClosed confirms a closed deal with what was recorded.
func (b *Bot) sayClosed(ctx context.Context, r *Request, d *models.Deal) string {
	client := "?"
	if c, err := b.store.Client(ctx, r.User, d.ClientID); err == nil {
		client = c.Name
	}
	if d.State == models.DealWon {
		units := d.Units
		if titleSaysUnits(d.Title, d.Units) {
			units = 0
		}
		r.say("deal_won", map[string]any{"Client": client, "Title": d.Title, "Units": units, "Value": money(d.Value), "HasValue": !d.Value.IsZero()})
		return client
	}
	r.say("deal_lost", map[string]any{"Client": client, "Title": d.Title, "Reason": lostKeys.label(r.cat, r.Lang, d.LostReason),
		"Words": d.LostWords, "To": d.LostTo})
	return client
}

// cbDealLost handles a tapped lost reason, "ID:reason".
func (b *Bot) cbDealLost(ctx context.Context, r *Request, payload string) error {
	id, reason, ok := cbID(payload)
	// Only a reason the buttons offered; anything else is a forged or
	// stale button, not a typing mistake to explain.
	if !ok || !slices.Contains(models.LostReasons, models.LostReason(reason)) {
		r.say("button_stale", nil)
		return nil
	}
	d, err := b.store.CloseDeal(ctx, r.User, id, func(d *models.Deal) error {
		return d.Lost(b.clock.Now(), models.LostReason(reason), "", "")
	})
	if err != nil {
		return err
	}
	b.sayClosed(ctx, r, d)
	// The button says the reason only: ask the rest.
	return b.askLostNote(ctx, r, d)
}

// changeDeal applies what a /deal says of an existing open deal and
// confirms it with the deal's fields.
func (b *Bot) changeDeal(ctx context.Context, r *Request, id int64, in *quick.Deal) error {
	d, err := b.store.UpdateDeal(ctx, r.User, id, func(d *models.Deal) error {
		d.Change(in.Change())
		return nil
	})
	if err != nil {
		return err
	}
	client := "?"
	if c, err := b.store.Client(ctx, r.User, d.ClientID); err == nil {
		client = c.Name
	}
	lines := []string{r.t("deal_changed", map[string]any{"Client": client, "Title": d.Title})}
	r.reply(strings.Join(append(lines, dealDetails(r, d)...), "\n"), nil)
	return nil
}
