package quick

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"salesbot/models"
)

// Deal is a quick deal as read: "/deal Acme; 20 trucks; 3.2M CNY; close
// 2027-03; vs Brand X" or "/deal 华为; 20台; 320万; 3月签; 竞品 某品牌". The
// client comes first; the other parts are recognised in any order. Parts
// that name nothing else make the title, so nothing typed is dropped.
type Deal struct {
	Client      string
	Title       string
	Product     string
	Units       int64
	UnitWord    string
	Value       Amount
	Close       models.Month
	Competitors []models.Competitor
	Budget      models.BudgetStatus
	BudgetValue Amount
	Step        models.ProcurementStep
	Stage       models.Stage
	NextStep    string
	// NextStepAt is when the next step is due (zero: not said).
	NextStepAt time.Time
}

var (
	closeWords      = words("deal", "close")
	competitorWords = words("deal", "competitor")
	budgetWords     = words("deal", "budget")
	productWords    = words("deal", "product")
	nextWords       = words("deal", "next")
	stepWords       = words("deal", "step")
	stageWords      = words("deal", "stage")
	titleWords      = words("deal", "title")

	budgetNone          = foldedWords("budget", "none")
	budgetApproved      = foldedWords("budget", "approved")
	budgetStatusApprove = foldedWords("budget_status", "approved")
	budgetStatusNone    = foldedWords("budget_status", "none")
	budgetStatusKnown   = foldedWords("budget_status", "known")
	budgetApprovedWords = words("budget_status", "approved_amount")
)

// cutWord removes a leading keyword (followed by a space, ":" or, for
// Chinese, anything) from p, or a trailing one for Chinese ("3月签").
func cutWord(p string, words []string) (string, bool) {
	low := strings.ToLower(p)
	for _, w := range words {
		if strings.HasPrefix(low, w) {
			rest := p[len(w):]
			latin := w[0] < 0x80
			if latin && rest != "" && !strings.ContainsAny(rest[:1], " :：") {
				continue
			}
			return strings.TrimSpace(strings.TrimLeft(rest, " :：")), true
		}
		if w[0] >= 0x80 && strings.HasSuffix(low, w) && len(p) > len(w) {
			return strings.TrimSpace(p[:len(p)-len(w)]), true
		}
	}
	return p, false
}

// ParseDeal reads a quick deal at now in loc (a close month without a year
// is the next such month, this one included). It fails on the first part
// that says what it is but cannot be read — an amount, a quantity, a
// month — with an *models.Error whose message has a working example.
func ParseDeal(s string, now time.Time, loc *time.Location) (Deal, error) {
	var d Deal
	parts := splitParts(norm.NFC.String(s))
	if len(parts) == 0 {
		return d, nil
	}
	d.Client = parts[0]
	var title []string
	for _, p := range parts[1:] {
		// Whole-part stage and step words first, so "产品演示" is the demo
		// stage, not a product called "演示".
		if st, ok := models.ParseStage(p); ok {
			d.Stage = st
			continue
		}
		if st, ok := models.ParseProcurementStep(p); ok {
			d.Step = st
			continue
		}
		if rest, ok := cutWord(p, closeWords); ok {
			m, ok := ParseMonth(rest, now, loc)
			switch {
			case ok:
				d.Close = m
				continue
			case strings.ContainsAny(rest, "0123456789") || hasMonthWord(rest) || isLatin(strings.ToLower(p)):
				return d, models.Errorf(models.EINVALID, "err_deal_month", map[string]any{"Text": p})
			}
			// "标签", "签字笔": a Chinese word that merely contains 签 is not a close month.
		}
		if rest, ok := cutWord(p, competitorWords); ok {
			cs, err := ParseCompetitors(rest)
			if err != nil {
				return d, err
			}
			d.Competitors = append(d.Competitors, cs...)
			if len(d.Competitors) > models.MaxDealCompetitor {
				return d, models.Errorf(models.EINVALID, "err_deal_too_many_competitors", map[string]any{"Max": models.MaxDealCompetitor})
			}
			continue
		}
		if st, ok := budgetOf(p); ok {
			d.Budget = st
			continue
		}
		if rest, ok := cutWord(p, budgetWords); ok {
			st, a, err := readBudget(rest)
			if err != nil {
				return d, err
			}
			d.Budget, d.BudgetValue = st, a
			continue
		}
		if rest, ok := cutWord(p, nextWords); ok {
			text, at, err := ParseNextStep(rest, now, loc)
			if err != nil {
				return d, err
			}
			d.NextStep, d.NextStepAt = text, at
			continue
		}
		if rest, ok := cutWord(p, productWords); ok {
			d.Product = rest
			continue
		}
		if rest, ok := cutWord(p, titleWords); ok && rest != "" {
			title = append(title, rest)
			continue
		}
		if rest, ok := cutWord(p, stepWords); ok {
			if st, ok := models.ParseProcurementStep(rest); ok {
				d.Step = st
				continue
			}
			return d, models.Errorf(models.EINVALID, "err_deal_step", map[string]any{"Text": p})
		}
		if rest, ok := cutWord(p, stageWords); ok {
			if st, ok := models.ParseStage(rest); ok {
				d.Stage = st
				continue
			}
		}
		if m, ok := ParseMonth(p, now, loc); ok && hasMonthWord(p) {
			d.Close = m
			continue
		}
		if q, more, ok := countedPart(p); ok {
			// "二十台", "20台", "二十台 压缩机": the words after a measure
			// word are what is counted, a title.
			d.Units, d.UnitWord = q.Units, q.Word
			if more != "" {
				title = append(title, more)
			}
			continue
		}
		if numeric(p) {
			if q, err := ParseQuantity(p); err == nil && q.Word != "" {
				d.Units, d.UnitWord = q.Units, q.Word
				continue
			} else if err != nil && looksCounted(p) {
				return d, err
			}
			a, err := ParseAmount(p)
			if err != nil {
				return d, err
			}
			d.Value = a
			continue
		}
		title = append(title, p)
	}
	d.Title = strings.Join(title, "; ")
	return d, nil
}

// countedPart reads a part that is a quantity with its unit word ("20台",
// "二十台", "20 trucks", "两百套"), or one with a measure word followed,
// after a space, by what is counted ("二十台 压缩机", "20 台 压缩机"): the
// quantity and those words. Only the first two spaces are tried, so the
// work stays linear in the part.
func countedPart(p string) (Quantity, string, bool) {
	if q, err := ParseQuantity(p); err == nil && q.Word != "" {
		return q, "", true
	}
	end := 0
	for range 2 {
		i := strings.IndexFunc(p[end:], unicode.IsSpace)
		if i < 0 {
			break
		}
		end += i
		q, err := ParseQuantity(p[:end])
		if err == nil && q.Word != "" && !isLatin(q.Word) {
			return q, strings.TrimSpace(p[end:]), true
		}
		_, size := utf8.DecodeRuneInString(p[end:])
		end += size
	}
	return Quantity{}, "", false
}

// amountLeads are what may start an amount: a sign or any currency word
// (ParseAmount reads them all before the number: "人民币 500万", "$5k").
var amountLeads = func() []string {
	leads := []string{"-", "−"}
	for w := range currencyWords {
		leads = append(leads, w)
	}
	slices.SortFunc(leads, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	return leads
}()

// numeric reports whether a part starts like a number or an amount: a
// digit, a sign, or a currency before the number.
func numeric(p string) bool {
	p = strings.ToLower(norm.NFKC.String(p))
	for _, w := range amountLeads {
		if strings.HasPrefix(p, w) {
			rest := strings.TrimSpace(p[len(w):])
			return rest != "" && (rest[0] >= '0' && rest[0] <= '9' || rest[0] == '-')
		}
	}
	return p != "" && p[0] >= '0' && p[0] <= '9'
}

// looksCounted reports whether a numeric part ends in a unit word, so its
// error is a quantity's ("2.5 units"), not an amount's.
func looksCounted(p string) bool {
	low := strings.ToLower(norm.NFKC.String(p))
	i := strings.LastIndexFunc(low, func(r rune) bool { return unicode.IsDigit(r) || r == ' ' || r == '.' || r == ',' })
	w := strings.TrimSpace(low[i+1:])
	if w == "" {
		return false
	}
	for _, u := range unitWords {
		if w == u {
			return true
		}
	}
	return isUnitWord(w) && len(w) >= 3
}

func budgetOf(p string) (models.BudgetStatus, bool) {
	switch f := models.Fold(p); {
	case budgetNone[f]:
		return models.BudgetNone, true
	case budgetApproved[f]:
		return models.BudgetApproved, true
	}
	return "", false
}

func readBudget(rest string) (models.BudgetStatus, Amount, error) {
	switch f := models.Fold(rest); {
	case budgetStatusApprove[f]:
		return models.BudgetApproved, Amount{}, nil
	case budgetStatusNone[f]:
		return models.BudgetNone, Amount{}, nil
	case budgetStatusKnown[f]:
		return models.BudgetKnown, Amount{}, nil
	}
	status := models.BudgetKnown
	if r, ok := cutWord(rest, budgetApprovedWords); ok {
		status, rest = models.BudgetApproved, r
	}
	a, err := ParseAmount(rest)
	if err != nil {
		return "", Amount{}, err
	}
	return status, a, nil
}

// monthNames maps a month's name ("mar", "march") to the month.
var monthNames = wordTable("month", monthOfName)

// monthOfName reads a [month] key: the month's English name, lower case.
func monthOfName(key string) (time.Month, error) {
	for m := time.January; m <= time.December; m++ {
		if strings.ToLower(m.String()) == key {
			return m, nil
		}
	}
	return 0, fmt.Errorf("want a month's name such as march")
}

// hasMonthWord reports whether a part names a month in words ("march",
// "3月", "2027-03"), so a bare "2027" stays an amount.
func hasMonthWord(p string) bool {
	low := strings.ToLower(norm.NFKC.String(p))
	if strings.Contains(low, "月") || strings.Count(low, "-") == 1 || strings.Count(low, "/") == 1 {
		return true
	}
	for _, f := range strings.Fields(low) {
		if _, ok := monthNames[f]; ok {
			return true
		}
	}
	return false
}

// ParseMonth reads a month: "2027-03", "2027/3", "03/2027", "march",
// "mar 2027", "3月", "2027年3月", "明年3月". Without a year it is the next
// such month from now in loc, this month included.
func ParseMonth(s string, now time.Time, loc *time.Location) (models.Month, bool) {
	s = strings.TrimSpace(strings.ToLower(norm.NFKC.String(s)))
	now = now.In(loc)
	year, mon := 0, time.Month(0)
	nextYear := false
	if r, ok := strings.CutPrefix(s, "明年"); ok {
		s, nextYear = strings.TrimSpace(r), true
	} else if r, ok := strings.CutPrefix(s, "next year"); ok {
		s, nextYear = strings.TrimSpace(r), true
	}
	num := func(t string) (int, bool) {
		n, err := strconv.Atoi(strings.TrimSpace(t))
		return n, err == nil
	}
	switch {
	case strings.Contains(s, "年") && strings.HasSuffix(s, "月"):
		y, m, _ := strings.Cut(strings.TrimSuffix(s, "月"), "年")
		yy, ok1 := num(y)
		mm, ok2 := num(m)
		if !ok1 || !ok2 {
			return models.Month{}, false
		}
		year, mon = yy, time.Month(mm)
	case strings.HasSuffix(s, "月"):
		mm, ok := num(strings.TrimSuffix(s, "月"))
		if !ok {
			return models.Month{}, false
		}
		mon = time.Month(mm)
	case strings.ContainsAny(s, "-/"):
		a, b, _ := strings.Cut(strings.ReplaceAll(s, "/", "-"), "-")
		x, ok1 := num(a)
		y, ok2 := num(b)
		if !ok1 || !ok2 {
			return models.Month{}, false
		}
		if x > 999 {
			year, mon = x, time.Month(y)
		} else if y > 999 {
			year, mon = y, time.Month(x)
		} else {
			return models.Month{}, false
		}
	default:
		f := strings.Fields(s)
		if len(f) == 0 || len(f) > 2 {
			return models.Month{}, false
		}
		m, ok := monthNames[f[0]]
		if !ok {
			return models.Month{}, false
		}
		mon = m
		if len(f) == 2 {
			y, ok := num(f[1])
			if !ok {
				return models.Month{}, false
			}
			year = y
		}
	}
	if mon < 1 || mon > 12 {
		return models.Month{}, false
	}
	switch {
	case year == 0 && nextYear:
		year = now.Year() + 1
	case year == 0:
		year = now.Year()
		if mon < now.Month() {
			year++
		}
	case nextYear:
		return models.Month{}, false
	}
	// A deal closes within a reasonable horizon; "2207-03" is a typo.
	if year < now.Year()-1 || year > now.Year()+10 {
		return models.Month{}, false
	}
	return models.Month{Year: year, Mon: mon}, true
}

// DealClose is "/deal won Acme; 18 units; 3M" or "/deal lost Acme price
// "too expensive"" as read.
type DealClose struct {
	Won    bool
	Client string // the client's name, or "#ID" for one deal
	Units  int64
	Value  Amount
	Reason models.LostReason
	Words  string
	// To is the competitor a deal was lost to ("competitor Brand X").
	To string
}

var (
	wonWords  = words("deal", "won")
	lostWords = words("deal", "lost")
)

// ParseDealVerb splits "won …" / "lost …" (赢单/丢单) from the rest of a
// /deal; ok is false for a new deal.
func ParseDealVerb(s string) (won bool, rest string, ok bool) {
	s = strings.TrimSpace(s)
	first, rest, _ := strings.Cut(s, " ")
	w := strings.ToLower(first)
	for _, v := range wonWords {
		if w == v {
			return true, strings.TrimSpace(rest), true
		}
	}
	for _, v := range lostWords {
		if w == v {
			return false, strings.TrimSpace(rest), true
		}
	}
	return false, s, false
}

// ParseDealClose reads what follows "won" or "lost". The client comes
// first; then (won) a quantity and an amount, or (lost) a reason category
// and the rep's words, quoted or not (no reason at all leaves Reason empty
// for the caller to ask). Parts may be separated by ";" or by
// spaces: with spaces, the client is everything before the first part that
// reads as something else.
func ParseDealClose(won bool, s string) (DealClose, error) {
	c := DealClose{Won: won}
	s = strings.TrimSpace(norm.NFC.String(s))
	s, quoted := cutQuoted(s)
	var parts []string
	if strings.ContainsAny(s, ";；\n") {
		parts = splitParts(s)
	} else {
		parts = strings.Fields(s)
	}
	if len(parts) == 0 {
		return c, nil
	}
	if !strings.ContainsAny(s, ";；\n") {
		// The client is the words up to the first that reads as a value.
		i := 1
		for i < len(parts) && !closeValue(won, parts, i) {
			i++
		}
		parts = append([]string{strings.Join(parts[:i], " ")}, parts[i:]...)
	}
	c.Client = parts[0]
	rest := parts[1:]
	if won {
		for i := 0; i < len(rest); i++ {
			p := rest[i]
			// "18 units" typed with spaces is two fields.
			if i+1 < len(rest) && !numeric(rest[i+1]) {
				if q, err := ParseQuantity(p + " " + rest[i+1]); err == nil && q.Word != "" {
					c.Units = q.Units
					i++
					continue
				}
			}
			if q, err := ParseQuantity(p); err == nil && q.Word != "" {
				c.Units = q.Units
				continue
			}
			a, err := ParseAmount(p)
			if err != nil {
				return c, err
			}
			c.Value = a
		}
		c.Words = quoted
		return c, nil
	}
	if len(rest) == 0 {
		// No reason typed: the caller asks for one from the list.
		c.Words = quoted
		return c, nil
	}
	// The reason is one or two words ("no budget", "lost contact").
	n := 0
	if len(rest) >= 2 {
		if r, ok := models.ParseLostReason(rest[0] + " " + rest[1]); ok {
			c.Reason, n = r, 2
		}
	}
	if n == 0 {
		r, ok := models.ParseLostReason(rest[0])
		if !ok {
			return c, models.Errorf(models.EINVALID, "err_deal_lost_reason", nil)
		}
		c.Reason, n = r, 1
	}
	tail := strings.Join(rest[n:], " ")
	if c.Reason == models.LostCompetitor && tail != "" && quoted != "" {
		c.To = tail
	} else if c.Reason == models.LostCompetitor && quoted == "" {
		c.To = tail
	} else {
		quoted = strings.TrimSpace(strings.Join([]string{tail, quoted}, " "))
	}
	c.Words = quoted
	return c, nil
}

func closeValue(won bool, parts []string, i int) bool {
	if won {
		return numeric(parts[i]) || LooksLikeQuantity(parts[i])
	}
	if i+1 < len(parts) {
		if _, ok := models.ParseLostReason(parts[i] + " " + parts[i+1]); ok {
			return true
		}
	}
	_, ok := models.ParseLostReason(parts[i])
	return ok
}

// cutQuoted removes the first quoted text ("…", “…”, «…», 「…」) from s and
// returns it apart.
func cutQuoted(s string) (string, string) {
	pairs := [][2]string{{`"`, `"`}, {"“", "”"}, {"「", "」"}, {"『", "』"}, {"'", "'"}}
	for _, p := range pairs {
		i := strings.Index(s, p[0])
		if i < 0 {
			continue
		}
		j := strings.Index(s[i+len(p[0]):], p[1])
		if j < 0 {
			continue
		}
		q := s[i+len(p[0]) : i+len(p[0])+j]
		rest := s[:i] + " " + s[i+len(p[0])+j+len(p[1]):]
		return strings.TrimSpace(rest), strings.TrimSpace(q)
	}
	return s, ""
}

// ParseBudget reads a deal's budget as typed after "budget": a status
// ("approved", "none", "已批") or an amount, perhaps approved ("approved
// 3M", "已批 300万").
func ParseBudget(s string) (models.BudgetStatus, Amount, error) {
	if st, ok := budgetOf(s); ok {
		return st, Amount{}, nil
	}
	return readBudget(strings.TrimSpace(s))
}

// IsChange reports whether a read deal only says things of a deal that
// exists (the next step, competitors, budget, steps, close month) and
// names no new one (no title, product, quantity or value).
func (d *Deal) IsChange() bool {
	if d.Title != "" || d.Product != "" || d.Units != 0 || d.Value.Minor != 0 {
		return false
	}
	return d.NextStep != "" || !d.NextStepAt.IsZero() || len(d.Competitors) > 0 || d.Budget != "" ||
		d.Step != models.StepNone || d.Stage != models.StageNone || !d.Close.IsZero()
}

// Change is the change a read deal makes to a deal that exists.
func (d *Deal) Change() models.DealChange {
	return models.DealChange{NextStep: d.NextStep, NextStepAt: d.NextStepAt, Competitors: d.Competitors, Budget: d.Budget,
		BudgetAmount: models.Money{Minor: d.BudgetValue.Minor, Currency: d.BudgetValue.Currency}, Step: d.Step, Stage: d.Stage,
		CloseMonth: d.Close}
}
