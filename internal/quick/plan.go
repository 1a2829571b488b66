package quick

import (
	"errors"
	"strings"
	"time"
	"unicode"

	"salesbot/internal/dates"
	"salesbot/models"
)

// PlanItem is one item of a quick plan ("/plan next mon Acme demo").
type PlanItem struct {
	Weekday  time.Weekday
	ClientID int64 // 0: a new client named Client
	Client   string
	Purpose  string
}

// foldName folds a client name for matching, as client cards are keyed:
// case, width, spaces and punctuation do not count.
func foldName(s string) string { return models.NameKey(s) }

// leadingWeekday reads the weekday at the start of a plan item: a word
// ("mon", "周三", "星期五") or a Chinese weekday glued to the client
// ("周三华为").
func leadingWeekday(words []string) (time.Weekday, []string, bool) {
	if len(words) == 0 {
		return 0, nil, false
	}
	if d, ok := dates.ParseWeekday(words[0]); ok {
		return d, words[1:], true
	}
	for _, prefix := range []string{"星期", "礼拜", "周"} {
		rest, ok := strings.CutPrefix(words[0], prefix)
		if !ok {
			continue
		}
		r := []rune(rest)
		if len(r) < 2 {
			continue
		}
		if d, ok := dates.ParseWeekday(prefix + string(r[0])); ok {
			return d, append([]string{string(r[1:])}, words[1:]...), true
		}
	}
	return 0, nil, false
}

// planPart is one item of a quick plan as typed: its 1-based number, its
// text, the weekday it starts with and the rest ("Acme demo").
type planPart struct {
	n    int
	text string
	day  time.Weekday
	rest string
}

// splitPlan cuts a quick plan into its items (split by ";" or new lines),
// each read up to its weekday. It returns the items before the first one
// without a weekday or without anything after it, and that one's number
// and text (1 and text when there is no item at all).
func splitPlan(text string) ([]planPart, int, string) {
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == ';' || r == '；' || r == '\n' })
	var parts []planPart
	n := 0
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n++
		d, rest, ok := leadingWeekday(strings.Fields(f))
		if !ok || len(rest) == 0 {
			return parts, n, f
		}
		parts = append(parts, planPart{n: n, text: f, day: d, rest: strings.Join(rest, " ")})
	}
	if n == 0 {
		return nil, 1, text
	}
	return parts, 0, ""
}

// PlanNamePrefixes are the beginnings of the items of a quick plan that
// may be a client's name (NamePrefixes of each item after its weekday, at
// most MaxNamePrefixes an item). The caller looks them all up in the name
// index at once (by models.NameKey) and hands ParsePlanItems the clients
// found, never the team's whole client list.
func PlanNamePrefixes(text string) []string {
	parts, _, _ := splitPlan(text)
	var out []string
	for _, p := range parts {
		out = append(out, NamePrefixes(p.rest)...)
	}
	return out
}

// ParsePlanItems reads "mon Acme demo; wed 华为 报价; fri Beta contract":
// items split by ";" or new lines, each a weekday, a client and a purpose.
// The client is the longest of the item's NamePrefixes that is a known
// client's name by key (ending at a word boundary, or anywhere in
// Chinese); otherwise the first word is a new client's name. clients need
// only be those PlanNamePrefixes name: no other can match. It returns the
// 1-based number and text of the first unreadable item on failure.
func ParsePlanItems(text string, clients []*models.Client) ([]PlanItem, int, string) {
	known := byKey(clients, func(c *models.Client) string { return c.Name })
	parts, badN, badText := splitPlan(text)
	items := make([]PlanItem, 0, len(parts))
	for _, p := range parts {
		it := PlanItem{Weekday: p.day}
		if c, rest, ok := cutKnown(p.rest, known); ok {
			it.ClientID, it.Client, it.Purpose = c.ID, c.Name, rest
		} else {
			it.Client, it.Purpose, _ = strings.Cut(p.rest, " ")
		}
		if foldName(it.Client) == "" {
			return nil, p.n, p.text
		}
		if _, bad := BadTimeIn(it.Client + " " + it.Purpose); bad {
			return nil, p.n, p.text // "mon 26:00 Acme": not a client "26:00"
		}
		items = append(items, it)
	}
	if badN != 0 {
		return nil, badN, badText
	}
	return items, 0, ""
}

// BadTimeIn finds a clock time that does not exist among the words of
// text ("26:00", "明天88点", "25:61"), as typed, for a refusal that names
// it: a plan item never keeps one as its client or purpose.
func BadTimeIn(text string) (string, bool) {
	for _, w := range strings.Fields(text) {
		// At the word's start ("明天88点") and where a number starts
		// inside it ("华为27点": Chinese is written without spaces).
		for i := 0; i < len(w); i++ {
			if i > 0 && !(isDigit(w[i]) && !isDigit(w[i-1])) {
				continue
			}
			var te *dates.TimeError
			if _, err := dates.Parse(w[i:], time.Time{}, dates.Options{}); errors.As(err, &te) {
				return te.Text, true
			}
		}
	}
	return "", false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// nameBoundary reports whether a client name may end before r[i]: at the
// end, at a space or punctuation, or where Han script meets anything (Chinese
// is written without spaces: "华为报价").
func nameBoundary(r []rune, i int) bool {
	if i >= len(r) {
		return true
	}
	word := func(c rune) bool { return unicode.IsLetter(c) || unicode.IsNumber(c) }
	return !word(r[i-1]) || !word(r[i]) || unicode.Is(unicode.Han, r[i-1]) || unicode.Is(unicode.Han, r[i])
}
