package dates

import (
	"strings"
	"unicode/utf8"
)

// MaxRangeLen bounds a typed period ("dec 20 - jan 3", "2026-11-01
// 2026-11-30", "12月20日到1月3日"): longer text is not a period, so reading
// one costs the same whatever a message holds.
const MaxRangeLen = 80

// maxDayWords is the most words one day of a period is written with
// ("the last monday of december" would be five; every form we read fits).
const maxDayWords = 4

// rangeSeparators split "FROM TO" where the days themselves may hold spaces.
var rangeSeparators = []string{" - ", " – ", " — ", " to ", " until ", "~", "到", "至"}

// SplitRange finds the two days of "FROM TO" or "FROM - TO", where day
// says whether a text reads as one day. It tries each separator, then the
// splits between words that leave at most four words on each side — a
// bounded number of tries, never every split of a long text. Text longer
// than MaxRangeLen is refused at once.
func SplitRange(s string, day func(string) bool) (from, to string, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" || utf8.RuneCountInString(s) > MaxRangeLen {
		return "", "", false
	}
	for _, sep := range rangeSeparators {
		if a, z, found := strings.Cut(s, sep); found {
			a, z = strings.TrimSpace(a), strings.TrimSpace(z)
			if day(a) && day(z) {
				return a, z, true
			}
		}
	}
	fields := strings.Fields(s)
	if len(fields) > 2*maxDayWords {
		return "", "", false
	}
	for i := max(1, len(fields)-maxDayWords); i < len(fields) && i <= maxDayWords; i++ {
		a, z := strings.Join(fields[:i], " "), strings.Join(fields[i:], " ")
		if day(a) && day(z) {
			return a, z, true
		}
	}
	return "", "", false
}
