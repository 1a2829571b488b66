package quick

import (
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

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

// ParsePlanItems reads "mon Acme demo; wed 华为 报价; fri Beta contract":
// items split by ";" or new lines, each a weekday, a client and a purpose.
// The client is the longest leading part that names a known client (ending
// at a word boundary, or anywhere in Chinese); otherwise the first word is
// a new client's name. It returns the
// 1-based number and text of the first unreadable item on failure.
func ParsePlanItems(text string, clients []*models.Client) ([]PlanItem, int, string) {
	known := map[string]*models.Client{}
	longest := 0 // no name match is tried beyond twice the longest name
	for _, c := range clients {
		longest = max(longest, 2*utf8.RuneCountInString(c.Name)+4)
		if k := foldName(c.Name); k != "" {
			if _, dup := known[k]; !dup {
				known[k] = c
			}
		}
	}
	parts := strings.FieldsFunc(text, func(r rune) bool { return r == ';' || r == '；' || r == '\n' })
	var items []PlanItem
	n := 0
	for _, part := range parts {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		n++
		d, rest, ok := leadingWeekday(strings.Fields(part))
		if !ok || len(rest) == 0 {
			return nil, n, part
		}
		it := PlanItem{Weekday: d}
		r := []rune(strings.Join(rest, " "))
		for i := min(len(r), longest); i >= 1; i-- {
			if !nameBoundary(r, i) {
				continue
			}
			if c, ok := known[foldName(string(r[:i]))]; ok {
				it.ClientID, it.Client, it.Purpose = c.ID, c.Name, strings.TrimSpace(string(r[i:]))
				break
			}
		}
		if it.Client == "" {
			it.Client, it.Purpose = rest[0], strings.Join(rest[1:], " ")
		}
		if foldName(it.Client) == "" {
			return nil, n, part
		}
		if _, bad := BadTimeIn(it.Client + " " + it.Purpose); bad {
			return nil, n, part // "mon 26:00 Acme": not a client "26:00"
		}
		items = append(items, it)
	}
	if n == 0 {
		return nil, 1, text
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
