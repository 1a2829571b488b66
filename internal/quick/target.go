package quick

import (
	"errors"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"salesbot/models"
)

// TargetArgs is "/target [WHO] [METRIC AMOUNT|off] [MONTH]" as read:
// "/target @rita units 42", "/target team value 5M", "/target 团队 金额
// 500万 2027-03", "/target @rita units off", "/target", "/target @rita".
type TargetArgs struct {
	// Who names the rep as typed ("@rita", "Rita Li"); "" for none.
	Who string
	// Team is set for "team" / "团队": the team as a whole.
	Team bool
	// Metric is "" when nothing is set (a request to show).
	Metric models.TargetMetric
	// Amount is a count, or minor units for a value (Currency as typed).
	Amount   int64
	Currency string
	// Clear is "off" / "清除": the default applies again.
	Clear bool
	// Month is zero when none was typed (the current month).
	Month models.Month
}

// Set reports whether the arguments set (or clear) a target, rather than
// ask to see them.
func (a TargetArgs) Set() bool { return a.Metric != "" }

// TargetExample is shown with every refusal: a line that works.
const TargetExample = "/target @rita units 42"

var (
	teamWords  = words("target", "team")
	clearWords = words("target", "clear")
)

func isWord(s string, words []string) bool {
	s = strings.ToLower(s)
	for _, w := range words {
		if s == w {
			return true
		}
	}
	return false
}

// ParseTargetArgs reads /target's arguments. A month without a year is the
// next such month from now in loc (this month included). What cannot be
// read is an *models.Error (EINVALID) whose key names why, with the text
// and TargetExample.
func ParseTargetArgs(s string, now time.Time, loc *time.Location) (TargetArgs, error) {
	var a TargetArgs
	s = strings.TrimSpace(norm.NFKC.String(s))
	words := splitMetricPrefix(strings.Fields(s))
	if len(words) == 0 {
		return a, nil
	}
	// The month comes last: "… 2027-03", "… mar 2027", "… 3月".
	for n := 2; n >= 1; n-- {
		if len(words) < n {
			continue
		}
		tail := strings.Join(words[len(words)-n:], " ")
		if !hasMonthWord(tail) {
			continue
		}
		if m, ok := ParseMonth(tail, now, loc); ok {
			a.Month, words = m, words[:len(words)-n]
			break
		}
	}
	// The metric: the first word (or two) naming one; before it, who.
	at, width := -1, 0
	for i := range words {
		if i+1 < len(words) {
			if _, ok := models.ParseTargetMetric(words[i] + " " + words[i+1]); ok {
				at, width = i, 2
				break
			}
		}
		if _, ok := models.ParseTargetMetric(words[i]); ok {
			at, width = i, 1
			break
		}
	}
	who, rest := words, []string(nil)
	if at >= 0 {
		a.Metric, _ = models.ParseTargetMetric(strings.Join(words[at:at+width], " "))
		who, rest = words[:at], words[at+width:]
	}
	switch name := strings.Join(who, " "); {
	case isWord(name, teamWords):
		a.Team = true
	case name == "":
	case at < 0 && anyAmount(who):
		// "/target 42", "/target @rita boxes 42": an amount without a
		// metric it could be for.
		return TargetArgs{}, targetErr("err_target_no_metric", s)
	default:
		if len([]rune(name)) > 64 {
			return TargetArgs{}, targetErr("err_target_who", name)
		}
		a.Who = name
	}
	if at < 0 {
		return a, nil
	}
	amount := strings.Join(rest, " ")
	switch {
	case amount == "":
		return TargetArgs{}, targetErr("err_target_no_amount", s)
	case isWord(amount, clearWords):
		a.Clear = true
		return a, nil
	case a.Metric == models.MetricValue:
		v, err := ParseAmount(amount)
		if err != nil {
			return TargetArgs{}, amountTargetErr(err, amount)
		}
		a.Amount, a.Currency = v.Minor, v.Currency
	default:
		q, err := ParseQuantity(amount)
		if err != nil {
			return TargetArgs{}, amountTargetErr(err, amount)
		}
		a.Amount = q.Units
	}
	return a, nil
}

// maxMetricRunes bounds the metric words splitMetricPrefix looks for.
const maxMetricRunes = 24

// splitMetricPrefix splits a word that runs a metric into its number, as
// Chinese is typed without spaces: "台数42" → "台数", "42"; "金额500万" →
// "金额", "500万".
func splitMetricPrefix(words []string) []string {
	out := make([]string, 0, len(words)+1)
	for _, w := range words {
		rs := []rune(w)
		split := false
		// A metric word is short: only prefixes up to maxMetricRunes, so a
		// long word costs no more than a short one.
		for k := min(len(rs)-1, maxMetricRunes); k >= 1; k-- {
			if !unicode.IsDigit(rs[k]) || unicode.IsDigit(rs[k-1]) {
				continue
			}
			if _, ok := models.ParseTargetMetric(string(rs[:k])); ok {
				out = append(out, string(rs[:k]), string(rs[k:]))
				split = true
				break
			}
		}
		if !split {
			out = append(out, w)
		}
	}
	return out
}

// anyAmount reports whether a word starts like a number.
func anyAmount(words []string) bool {
	for _, w := range words {
		for _, r := range w {
			if unicode.IsDigit(r) || r == '-' || r == '$' || r == '¥' || r == '€' {
				return true
			}
			break
		}
	}
	return false
}

func targetErr(key, text string) error {
	return models.Errorf(models.EINVALID, key, map[string]any{"Text": text, "Example": TargetExample})
}

// amountTargetErr words an amount or quantity refusal for a target: why
// (negative, zero, too large, unreadable), with a target example.
func amountTargetErr(err error, text string) error {
	var e *models.Error
	key := "err_target_amount_unreadable"
	if errors.As(err, &e) {
		switch {
		case strings.HasSuffix(e.Key, "_negative"), strings.HasSuffix(e.Key, "_zero"):
			key = "err_target_amount_positive"
		case strings.HasSuffix(e.Key, "_absurd"):
			key = "err_target_absurd"
		}
	}
	return targetErr(key, text)
}
