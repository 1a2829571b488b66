package dates

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/olebedev/when/rules/en"
)

// Why the scan is not simply every rule's regexp over the whole text: Go's
// regexp engine runs in linear time, but the big alternations of when's
// rules cost microseconds per byte each, so a 4 KB message took 30–60 ms.
// Three changes, each exact (TestFindAllMatchesReference compares the
// result with the plain scan on the test corpus and under fuzzing):
//
//   - a rule is run only on a text that contains one of the words it
//     cannot match without (spec.gate, on the lower-cased text);
//   - zh.ExactMonthDate's regexp matches the empty string at every word
//     start; each such match made the engine clear state for the rest of
//     the text (quadratic). zhMonthDateRe is the same regexp without the
//     empty matches (its applier declines them anyway);
//   - en.ExactMonthDate, the costliest (hundreds of ordinal words tried at
//     every non-word character), is matched by hand (enMonthDates), giving
//     the same submatches the regexp gives.

// gate is a prefilter: ok reports whether the rule can match at all in a
// text whose folded lower-case form is low.
type gate func(low string) bool

// anyOf gates on low containing one of words.
func anyOf(words ...string) gate {
	return func(low string) bool {
		for _, w := range words {
			if strings.Contains(low, w) {
				return true
			}
		}
		return false
	}
}

// digitAnd gates on a digit and one of words.
func digitAnd(words ...string) gate {
	other := anyOf(words...)
	return func(low string) bool { return strings.ContainsAny(low, "0123456789") && other(low) }
}

// foldLower lower-cases text the way the rules' (?i) compares it: besides
// the usual case, ſ (U+017F) folds to s and the Kelvin sign to k.
func foldLower(text string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\u017f': // ſ
			return 's'
		case '\u212a': // the Kelvin sign
			return 'k'
		}
		return unicode.ToLower(r)
	}, text)
}

// zhMonthDateRe is when's zh.ExactMonthDate — (?:\b|^)(?:MONTH SEP)?(?:DAY
// 日|号?)? — as MONTH SEP (DAY 日|号?)? | DAY 日|号: the same non-empty
// matches that the applier accepts (it wants the separator or the 日/号),
// without an empty match at every word start.
var zhMonthDateRe = regexp.MustCompile("" +
	`(?:\b|^)(?:` +
	`(1[0-2]|[1-9]|十一|十二|一|二|三|四|五|六|七|八|九|十)(?:\s*)(月|-|/|\.)(?:\s*)` +
	`(?:(` + zhDay + `)(?:\s*)(日|号)?)?` +
	`|(` + zhDay + `)(?:\s*)(日|号))`)

const zhDay = `1[0-9]|2[0-9]|3[0-1]|[1-9]|一|二|四|五|六|七|八|九|十一|十二|十三|十四|十五|十六|十七|十八|十九|十|二十一|二十二|二十三|二十五|二十六|二十七|二十八|二十九|二十|三十一|三十|三`

// zhMonthDates returns zhMonthDateRe's matches with the four capture
// groups of when's regexp (a day alone has no month and separator).
func zhMonthDates(text string) [][]int {
	all := zhMonthDateRe.FindAllStringSubmatchIndex(text, -1)
	for i, idx := range all {
		out := make([]int, 10)
		copy(out, idx[:2])
		if idx[2] >= 0 { // month and separator, maybe a day
			copy(out[2:], idx[2:10])
		} else {
			out[2], out[3], out[4], out[5] = -1, -1, -1, -1
			copy(out[6:], idx[10:14])
		}
		all[i] = out
	}
	return all
}

// The words of when's en.ExactMonthDate, in the regexp's order of
// preference: ORDINAL_WORDS_PATTERN and MONTH_OFFSET_PATTERN with their
// optional letters spelled out ("jan\.?" is "jan." before "jan"); "_" stands
// for the class [ -].
var (
	enOrdinals = alternatives(en.ORDINAL_WORDS_PATTERN)
	enMonths   = alternatives(en.MONTH_OFFSET_PATTERN)
)

// alternatives spells out a when word pattern "(?:a|b\.?|c[ -]d|sept?\.?)".
func alternatives(pattern string) []string {
	body := strings.TrimSuffix(strings.TrimPrefix(pattern, "(?:"), ")")
	var out []string
	for _, alt := range strings.Split(body, "|") {
		alt = strings.ReplaceAll(alt, "[ -]", "_")
		out = append(out, spell(alt)...)
	}
	return out
}

// spell expands the optional characters ("x?", "\.?") of alt, the longer
// spelling first (the regexp's ? is greedy).
func spell(alt string) []string {
	for i := 0; i < len(alt); i++ {
		var ch string
		var j int
		switch {
		case alt[i] == '\\' && i+2 < len(alt) && alt[i+2] == '?':
			ch, j = alt[i+1:i+2], i+3
		case i+1 < len(alt) && alt[i+1] == '?':
			ch, j = alt[i:i+1], i+2
		default:
			continue
		}
		tails := spell(alt[j:])
		out := make([]string, 0, 2*len(tails))
		for _, tail := range tails {
			out = append(out, alt[:i]+ch+tail)
		}
		for _, tail := range tails {
			out = append(out, alt[:i]+tail)
		}
		return out
	}
	return []string{strings.ReplaceAll(alt, `\.`, ".")}
}

// enMonthDates finds what en.ExactMonthDate's regexp
//
//	(?i)(?:\W|^)(?:(?:(ORD)(?:\s+of)?|([0-9]+))\s*)?(MONTH)(?:\s*(?:(ORD)|([0-9]+)))?(?:\W|$)
//
// finds, with the same submatch indexes (FindAllStringSubmatchIndex), in
// one pass: leftmost matches, each alternative tried in the regexp's order.
func enMonthDates(text string) [][]int {
	var out [][]int
	m := monthDateMatcher{text: text}
	for pos := 0; pos <= len(text); {
		start, end, ok := m.next(pos)
		if !ok {
			break
		}
		idx := make([]int, 12)
		idx[0], idx[1] = start, end
		copy(idx[2:], m.caps[:])
		out = append(out, idx)
		pos = end
	}
	return out
}

type monthDateMatcher struct {
	text string
	caps [10]int // groups 1..5: start, end (-1: unset)
}

// next finds the leftmost match at or after pos.
func (m *monthDateMatcher) next(pos int) (start, end int, ok bool) {
	for p := pos; p <= len(m.text); {
		m.caps = [10]int{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1}
		n := 1
		if p < len(m.text) {
			var r rune
			r, n = utf8.DecodeRuneInString(m.text[p:])
			if !isFoldWord(r) {
				if e, ok := m.rest(p + n); ok {
					return p, e, true
				}
			}
		}
		if p == 0 {
			m.caps = [10]int{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1}
			if e, ok := m.rest(0); ok {
				return 0, e, true
			}
		}
		p += n
	}
	return 0, 0, false
}

func (m *monthDateMatcher) set(g, from, to int) { m.caps[2*g-2], m.caps[2*g-1] = from, to }

// rest matches what follows (?:\W|^).
func (m *monthDateMatcher) rest(q int) (int, bool) {
	for _, w := range enOrdinals {
		j, ok := m.word(q, w)
		if !ok {
			continue
		}
		m.set(1, q, j) // " of" is matched, not captured
		if k := m.spaces(j); k > j {
			if l, ok := m.word(k, "of"); ok {
				if e, ok := m.month(m.spaces(l)); ok {
					return e, true
				}
			}
		}
		if e, ok := m.month(m.spaces(j)); ok {
			return e, true
		}
	}
	m.set(1, -1, -1)
	if e, ok := m.number(2, q, func(j int) (int, bool) { return m.month(m.spaces(j)) }); ok {
		return e, true
	}
	return m.month(q)
}

func (m *monthDateMatcher) month(q int) (int, bool) {
	return m.oneOf(3, q, enMonths, m.day)
}

func (m *monthDateMatcher) day(j int) (int, bool) {
	k := m.spaces(j)
	if e, ok := m.oneOf(4, k, enOrdinals, m.end); ok {
		return e, true
	}
	if e, ok := m.number(5, k, m.end); ok {
		return e, true
	}
	return m.end(j)
}

// oneOf matches one of words at q as group g, then then after it; like a
// regexp alternation it tries each word in turn, and g is unset when none
// leads to a match.
func (m *monthDateMatcher) oneOf(g, q int, words []string, then func(int) (int, bool)) (int, bool) {
	for _, w := range words {
		if j, ok := m.word(q, w); ok {
			m.set(g, q, j)
			if e, ok := then(j); ok {
				return e, true
			}
		}
	}
	m.set(g, -1, -1)
	return 0, false
}

// number matches digits at q as group g, then then after them; g is unset
// when that leads to no match.
func (m *monthDateMatcher) number(g, q int, then func(int) (int, bool)) (int, bool) {
	j := m.digits(q)
	if j == q {
		return 0, false
	}
	m.set(g, q, j)
	if e, ok := then(j); ok {
		return e, true
	}
	m.set(g, -1, -1)
	return 0, false
}

// end matches (?:\W|$).
func (m *monthDateMatcher) end(j int) (int, bool) {
	if j == len(m.text) {
		return j, true
	}
	r, n := utf8.DecodeRuneInString(m.text[j:])
	if isFoldWord(r) {
		return 0, false
	}
	return j + n, true
}

// word matches w at i, ignoring case as (?i) does; "_" in w is a space or
// a hyphen.
func (m *monthDateMatcher) word(i int, w string) (int, bool) {
	for _, want := range w {
		if i >= len(m.text) {
			return 0, false
		}
		r, n := utf8.DecodeRuneInString(m.text[i:])
		if want == '_' {
			if r != ' ' && r != '-' {
				return 0, false
			}
		} else if !foldEq(r, want) {
			return 0, false
		}
		i += n
	}
	return i, true
}

func (m *monthDateMatcher) spaces(i int) int {
	for i < len(m.text) && isSpaceRE(m.text[i]) {
		i++
	}
	return i
}

func (m *monthDateMatcher) digits(i int) int {
	for i < len(m.text) && m.text[i] >= '0' && m.text[i] <= '9' {
		i++
	}
	return i
}

// isSpaceRE is the regexp's \s.
func isSpaceRE(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\f' || b == '\r' }

// isFoldWord is the regexp's \w under (?i): ASCII letters, digits and _,
// and the two non-ASCII runes that fold to ASCII letters (ſ, K).
func isFoldWord(r rune) bool {
	return r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '\u017f' || r == '\u212a'
}

// foldEq reports whether r equals want (ASCII) under simple case folding.
func foldEq(r, want rune) bool {
	if r == want {
		return true
	}
	for f := unicode.SimpleFold(want); f != want; f = unicode.SimpleFold(f) {
		if f == r {
			return true
		}
	}
	return false
}

// gates names, for every rule of the table, the words its regexp cannot
// match without (any one of them, lower-cased), or its check accept no
// match without; init checks that each rule has its entry, so a new rule
// needs one.
var gates = map[string]gate{
	"isoDate":           digitAnd("-", "/", "."),
	"monthDay":          digitAnd("-"),
	"slashDate":         digitAnd("/"),
	"zhYearMonthDay":    digitAnd("月"),
	"en.ExactMonthDate": anyOf("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
	"zh.ExactMonthDate": anyOf("月", "-", "/", ".", "日", "号"),
	"en.CasualDate":     anyOf("now", "today", "tonight", "last", "tomorrow", "tmr", "yesterday"),
	"zh.CasualDate":     anyOf("天", "月", "年", "儿"),
	"endOfMonth":        anyOf("end", "月底", "月末"),
	"en.Weekday":        anyOf("sun", "mon", "tue", "wed", "thu", "fri", "sat"),
	"zhWeekday":         anyOf("周", "礼拜", "星期"),
	"enNextWeek":        anyOf("next"),
	"zhNextWeek":        anyOf("下"),
	"en.CasualTime":     anyOf("morning", "afternoon", "evening", "noon"),
	"zh.CasualTime":     anyOf("早晨", "下午", "傍晚", "中午", "晚上"),
	"zhPartOfDay":       anyOf("上午", "早上", "今晚"),
	"en.Hour":           digitAnd("a", "p"),
	"en.HourMinute":     digitAnd(":", "："),   // the check refuses "-" (matches with one only)
	"zh.HourMinute":     anyOf(":", "：", "点"), // the same
	"en.Deadline":       anyOf("in"),
	"zh.AfterTime":      anyOf("后"),
}

// finders replace a rule's regexp scan by an equivalent faster one.
var finders = map[string]func(text string) [][]int{
	"en.ExactMonthDate": enMonthDates,
	"zh.ExactMonthDate": zhMonthDates,
}

func init() {
	for i := range table {
		s := &table[i]
		g, ok := gates[s.name]
		if !ok {
			panic("dates: rule " + s.name + " has no entry in gates")
		}
		s.gate = g
		re := s.re
		s.find = func(text string) [][]int { return re.FindAllStringSubmatchIndex(text, -1) }
		if f, ok := finders[s.name]; ok {
			s.find = f
		}
	}
}
