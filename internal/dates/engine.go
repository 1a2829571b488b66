package dates

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/olebedev/when/rules"
)

// Why this file drives when's rules itself instead of using when.Parser:
//
//   - rules.F.Find slices text[-1:0] when a rule's regexp matches the empty
//     string, which zh.ExactMonthDate does at the start of almost any input:
//     a when.Parser holding zh.All panics on "明天" (when.go does not even
//     register a zh parser). We run the same regexps with our own finder,
//     which skips empty matches.
//   - Find only looks at a rule's first match, so one false positive early in
//     the text hides the real date later. We look at all matches.
//   - when.Parser joins matches up to 5 characters apart, whatever is between
//     them ("tomorrow ask mon" reads "ask" as part of the date). We join only
//     across spaces, commas, "at", "on" and "@", and drop a match that lies
//     inside a longer one (zh "12月1日" inside "2026年12月1日").
//   - rules.Context.Time adds Duration as elapsed time, so "tomorrow" at
//     23:30 before a spring-forward night lands on the day after tomorrow,
//     and "in 3 days" shifts the wall clock by an hour across DST. It also
//     sets Year, Month and Day one at a time through time.Date, so on Oct 31
//     "11月15日" first becomes "Nov 31" = Dec 1 and then Dec 15. We split
//     Duration into calendar days and elapsed time per rule and compose the
//     result ourselves on the wall clock (resolve).

// info is what a match tells the resolver beyond the rules.Context fields.
type info struct {
	date, time bool
	offset     offsetKind // "in N units" / "N单位后"
	months     int        // month offset; when's own month arithmetic is wrong
	rollYear   bool       // month+day without a year: next occurrence
	rollMonth  bool       // day of month alone: next occurrence
	morning    bool       // "morning"/"早晨"/"上午": team morning time, minute included
	now        bool       // "now"
	bareToday  bool       // weekday without modifier naming today's weekday
}

type offsetKind uint8

const (
	noOffset    offsetKind = iota
	calOffset              // days, weeks, months, years: keep the wall clock
	clockOffset            // seconds, minutes, hours: elapsed time
)

type applier = func(*rules.Match, *rules.Context, *rules.Options, time.Time) (bool, error)

// spec is one rule of the combined en+zh rule table.
type spec struct {
	name  string
	re    *regexp.Regexp
	apply applier
	// check rejects false positives and may trim the match (adjusting
	// Captures, Right and Text). text is the whole input. nil accepts all.
	check func(text string, m *rules.Match) bool
	info  func(m *rules.Match, ref time.Time) info
	// ordered, when set, is the applier instead of apply: for forms whose
	// reading depends on the user's day/month order (slash dates).
	ordered func(m *rules.Match, c *rules.Context, monthFirst bool) bool
	// gate and find are how findAll scans for re (scan.go): find returns
	// what re.FindAllStringSubmatchIndex would, and is run only when gate
	// passes.
	gate gate
	find func(text string) [][]int
}

// fromWhen takes the regexp and applier out of one of when's rules.
func fromWhen(r rules.Rule) (*regexp.Regexp, applier) {
	f, ok := r.(*rules.F)
	if !ok {
		panic(fmt.Sprintf("dates: when rule %T is not a *rules.F", r))
	}
	return f.RegExp, f.Applier
}

type cand struct {
	m     *rules.Match
	spec  *spec
	order int // position in the rule table: the order matches are applied in
}

// findAll runs every rule over text and returns the accepted matches sorted by
// position. A match is built the way rules.F.Find builds it: it spans from the
// first to the last non-empty capture. Matches that the rule's check refuses,
// or whose applier declines them on a fresh context, are dropped, so they
// can neither start nor extend a run.
func findAll(text string, ref time.Time, o *rules.Options, monthFirst bool) []cand {
	return findWith(text, ref, o, monthFirst, func(s *spec, low string) [][]int {
		if !s.gate(low) {
			return nil
		}
		return s.find(text)
	})
}

// findWith is findAll with scan giving each rule's regexp matches.
func findWith(text string, ref time.Time, o *rules.Options, monthFirst bool, scan func(s *spec, low string) [][]int) []cand {
	var out []cand
	low := foldLower(text)
	for i := range table {
		s := &table[i]
		for _, idx := range scan(s, low) {
			m := &rules.Match{Left: -1, Applier: s.apply}
			for g := 2; g+1 < len(idx); g += 2 {
				if idx[g] >= 0 && idx[g+1] >= 0 {
					if m.Left == -1 {
						m.Left = idx[g]
					}
					m.Captures = append(m.Captures, text[idx[g]:idx[g+1]])
					m.Right = idx[g+1]
				} else {
					m.Captures = append(m.Captures, "")
				}
			}
			if m.Left < 0 || m.Right <= m.Left {
				continue
			}
			m.Text = text[m.Left:m.Right]
			if s.check != nil && !safeCheck(s.check, text, m) {
				continue
			}
			if m.Right <= m.Left {
				continue
			}
			c := cand{m: m, spec: s, order: i}
			st := state{monthFirst: monthFirst}
			if !st.apply(c, o, ref) {
				continue
			}
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].m.Left != out[b].m.Left {
			return out[a].m.Left < out[b].m.Left
		}
		return out[a].order < out[b].order
	})
	return out
}

func safeCheck(check func(string, *rules.Match) bool, text string, m *rules.Match) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return check(text, m)
}

type parse struct {
	text       string
	monthFirst bool
	now        time.Time // in loc
	loc        *time.Location
	mh         int
	mm         int
	cands      []cand
}

// parseWindow is how far into the text Parse looks for its date run: up to
// the first whitespace after this many bytes. The run is at the start, and
// reminder texts can be long.
const parseWindow = 256

// window returns the prefix of text that Parse scans. Text without
// whitespace (Chinese) is cut at most 64 bytes further, on a character
// boundary, so a long message never makes Parse scan all of it.
func window(text string) string {
	if len(text) <= parseWindow {
		return text
	}
	if i := strings.IndexFunc(text[parseWindow:], unicode.IsSpace); i >= 0 && i <= 64 {
		return text[:parseWindow+i]
	}
	end := parseWindow + 64
	for end < len(text) && !utf8.RuneStart(text[end]) {
		end++
	}
	return text[:min(end, len(text))]
}

// newParse prepares a parse of text, looking for matches in scan (a prefix
// of text).
func newParse(text, scan string, now time.Time, opts Options) *parse {
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	mh, mm := opts.MorningHour, opts.MorningMinute
	if mh <= 0 || mh > 23 {
		mh = 9
	}
	if mm < 0 || mm > 59 {
		mm = 0
	}
	p := &parse{text: text, now: now.In(loc), loc: loc, mh: mh, mm: mm, monthFirst: opts.MonthFirst}
	p.cands = findAll(scan, p.now, p.options(), opts.MonthFirst)
	return p
}

// options for when's appliers: "morning" is the team's morning hour.
func (p *parse) options() *rules.Options {
	return &rules.Options{Morning: p.mh, Distance: 5, MatchByOrder: true}
}

// at reads the run of matches starting exactly at byte start. textStart (<=
// start) is where Text begins, to take in a connector word. found is false
// when no match starts at start or none of them applied; end is where the
// run ends.
func (p *parse) at(start, textStart int) (r Result, found bool, end int, err error) {
	sel, end := p.cluster(start)
	if len(sel) == 0 {
		return Result{}, false, end, nil
	}
	st := state{monthFirst: p.monthFirst}
	applied := false
	opts := p.options()
	for _, c := range sel {
		if st.apply(c, opts, p.now) {
			applied = true
		}
	}
	if !applied {
		return Result{}, false, end, nil
	}
	if bad, ok := impossibleTime(p.text, end); ok {
		// "tomorrow 26:00": not tomorrow morning with "26:00" left as text
		return Result{}, true, end, &TimeError{Text: bad}
	}
	t, err := st.resolve(p.now, p.loc, p.mh, p.mm)
	text := strings.TrimSpace(p.text[textStart:end])
	if err != nil {
		return Result{}, true, end, fmt.Errorf("dates: %q: %v: %w", text, err, ErrNoDate)
	}
	return Result{
		Time:    t,
		HasDate: st.hasDate,
		HasTime: st.hasTime,
		Text:    text,
		Rest:    rest(p.text, textStart, end),
	}, true, end, nil
}

// maxRun bounds the matches read as one date/time (keeping the work linear
// on long inputs); real ones have at most four or five ("2026年12月1日下午3点").
const maxRun = 10

// cluster collects the matches that start at start and those that follow
// them separated only by filler, minus matches lying inside a longer one, in
// rule-table order. end is where the run ends.
func (p *parse) cluster(start int) ([]cand, int) {
	var sel []cand
	end := -1
	first := sort.Search(len(p.cands), func(i int) bool { return p.cands[i].m.Left >= start })
	for _, c := range p.cands[first:] { // sorted by Left
		if len(sel) == maxRun {
			break
		}
		if len(sel) == 0 {
			if c.m.Left != start {
				return nil, 0
			}
		} else if c.m.Left > end && !isFiller(p.text[end:c.m.Left]) {
			break
		}
		sel = append(sel, c)
		end = max(end, c.m.Right)
	}
	// drop matches inside a longer one
	kept := sel[:0:0]
	for i, a := range sel {
		inside := false
		for j, b := range sel {
			if i != j && b.m.Left <= a.m.Left && a.m.Right <= b.m.Right &&
				(b.m.Left < a.m.Left || a.m.Right < b.m.Right) {
				inside = true
				break
			}
		}
		if !inside {
			kept = append(kept, a)
		}
	}
	sort.SliceStable(kept, func(a, b int) bool { return kept[a].order < kept[b].order })
	return kept, end
}

// isFiller reports whether gap (between two date/time words) holds only
// spaces, commas, "at", "on" and "@".
func isFiller(gap string) bool {
	for _, w := range strings.FieldsFunc(gap, func(r rune) bool {
		return unicode.IsSpace(r) || r == ',' || r == '，' || r == '、'
	}) {
		switch strings.ToLower(w) {
		case "at", "on", "@":
		default:
			return false
		}
	}
	return true
}

var connectors = []string{"at", "on", "by", "@"}

// skipConnector skips one connector word (and the spaces after it) at i.
func skipConnector(text string, i int) (int, bool) {
	for _, c := range connectors {
		if len(text)-i >= len(c) && strings.EqualFold(text[i:i+len(c)], c) {
			j := i + len(c)
			k := skipSpace(text, j)
			if c == "@" || k > j {
				return k, true
			}
		}
	}
	return i, false
}

// connectorBefore returns where a connector word directly before i (spaces
// between allowed) begins, or i when there is none.
func connectorBefore(text string, i int) int {
	j := i
	for j > 0 {
		r, n := utf8.DecodeLastRuneInString(text[:j])
		if !unicode.IsSpace(r) {
			break
		}
		j -= n
	}
	for _, c := range connectors {
		k := j - len(c)
		if k < 0 || !strings.EqualFold(text[k:j], c) {
			continue
		}
		if c != "@" && j == i {
			continue // "at" glued to the date is not a connector
		}
		if k > 0 {
			r, _ := utf8.DecodeLastRuneInString(text[:k])
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				continue // end of a longer word ("chat 3pm")
			}
		}
		return k
	}
	return i
}

func skipSpace(text string, i int) int {
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += n
	}
	return i
}

const separators = ",，:：;；-–—、"

// rest is text without text[from:to], trimmed; one separator right after the
// date is dropped. The two sides are joined with the first whitespace that
// stood between them, or with nothing when there was none (Chinese).
func rest(text string, from, to int) string {
	left := strings.TrimRightFunc(text[:from], unicode.IsSpace)
	right := strings.TrimLeftFunc(text[to:], unicode.IsSpace)
	gap := text[len(left):from] + text[to:len(text)-len(right)]
	after := right
	if r, n := utf8.DecodeRuneInString(after); n > 0 && r != utf8.RuneError && strings.ContainsRune(separators, r) {
		after = strings.TrimLeftFunc(after[n:], unicode.IsSpace)
	}
	before := strings.TrimLeftFunc(left, unicode.IsSpace)
	after = strings.TrimRightFunc(after, unicode.IsSpace)
	if before == "" || after == "" {
		return before + after
	}
	// Invalid UTF-8 on both sides could join into a rune the input never had.
	before, after = strings.ToValidUTF8(before, "\uFFFD"), strings.ToValidUTF8(after, "\uFFFD")
	sep := ""
	if i := strings.IndexFunc(gap, unicode.IsSpace); i >= 0 {
		r, _ := utf8.DecodeRuneInString(gap[i:])
		sep = string(r)
	}
	return before + sep + after
}

// state accumulates the applied matches.
type state struct {
	ctx              rules.Context
	days             int           // calendar days to add
	months           int           // calendar months to add
	elapsed          time.Duration // elapsed time to add
	hasDate, hasTime bool
	offset           bool // an "in N units" offset was read
	rollYear         bool
	rollMonth        bool
	morning          bool
	now              bool
	bareToday        bool
	monthFirst       bool // slash dates are month/day
}

// apply runs one match's applier on the context. Duration is zeroed first and
// read back afterwards, so each rule's shift can be booked as calendar days
// or elapsed time.
func (st *state) apply(c cand, o *rules.Options, ref time.Time) (ok bool) {
	saved := st.ctx
	defer func() {
		if recover() != nil {
			st.ctx, ok = saved, false
		}
	}()
	st.ctx.Duration = 0
	var err error
	if c.spec.ordered != nil {
		ok = c.spec.ordered(c.m, &st.ctx, st.monthFirst)
	} else {
		ok, err = c.m.Applier(c.m, &st.ctx, o, ref)
	}
	if err != nil || !ok {
		st.ctx = saved
		return false
	}
	in := info{}
	if c.spec.info != nil {
		in = c.spec.info(c.m, ref)
	}
	d := st.ctx.Duration
	st.ctx.Duration = 0
	if in.months != 0 {
		st.ctx.Month = saved.Month // en.Deadline sets (month+n)%12: wrong in December and across years
		st.months += in.months
	}
	const day = 24 * time.Hour
	if in.offset != clockOffset && d%day == 0 {
		st.days += int(d / day)
	} else {
		st.elapsed += d
	}
	st.hasDate = st.hasDate || in.date
	st.hasTime = st.hasTime || in.time
	st.offset = st.offset || in.offset != noOffset
	st.rollYear = st.rollYear || in.rollYear
	st.rollMonth = st.rollMonth || in.rollMonth
	if in.time {
		st.morning = in.morning // a later explicit clock time wins over "morning"
	}
	st.now = st.now || in.now
	st.bareToday = st.bareToday || in.bareToday
	return true
}

// resolve composes the final time on the wall clock of loc.
func (st *state) resolve(now time.Time, loc *time.Location, mh, mm int) (time.Time, error) {
	c := &st.ctx
	today := civil(now.Date())
	date := addMonths(today, st.months).AddDate(0, 0, st.days)
	y, mo, d := date.Year(), int(date.Month()), date.Day()
	if c.Year != nil {
		y = *c.Year
	}
	if c.Month != nil {
		// zh "下个月" sets Month to 13 on a December day: carry into the year
		y, mo = y+floorDiv(*c.Month-1, 12), mod(*c.Month-1, 12)+1
	}
	if y < 1 || y > 9999 {
		return time.Time{}, fmt.Errorf("year %d out of range", y)
	}
	if c.Day != nil {
		d = *c.Day
		if d < 1 || d > 31 {
			return time.Time{}, fmt.Errorf("no day %d", d)
		}
	}
	switch {
	case st.rollYear && c.Year == nil:
		// next occurrence, today included; Feb 29 waits for a leap year
		for i := 0; ; i++ {
			if i > 8 {
				return time.Time{}, fmt.Errorf("no day %d-%02d", mo, d)
			}
			if d <= daysIn(y+i, mo) && !civil(y+i, time.Month(mo), d).Before(today) {
				y += i
				break
			}
		}
	case st.rollMonth && c.Year == nil:
		// zh.ExactMonthDate sets Month to the current month for "5号"
		for i := 0; ; i++ {
			if i > 12 {
				return time.Time{}, fmt.Errorf("no day %d", d)
			}
			t := addMonths(civil(y, time.Month(mo), 1), i)
			if d <= daysIn(t.Year(), int(t.Month())) && !civil(t.Year(), t.Month(), d).Before(today) {
				y, mo = t.Year(), int(t.Month())
				break
			}
		}
	}
	if n := daysIn(y, mo); d > n {
		if c.Day != nil {
			return time.Time{}, fmt.Errorf("no day %d-%02d-%02d", y, mo, d)
		}
		d = n // "in 1 month" on Jan 31
	}

	hour, minute, sec, nsec := mh, mm, 0, 0
	switch {
	case st.now || (st.offset && c.Hour == nil):
		hour, minute, sec, nsec = now.Hour(), now.Minute(), now.Second(), now.Nanosecond()
	case c.Hour != nil:
		hour, minute = *c.Hour, 0
		if c.Minute != nil {
			minute = *c.Minute
		}
		if st.morning {
			hour, minute = mh, mm
		}
	}
	if hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return time.Time{}, fmt.Errorf("no time %d:%02d", hour, minute)
	}
	t := time.Date(y, time.Month(mo), d, hour, minute, sec, nsec, loc)

	explicitDay := c.Year != nil || c.Month != nil || c.Day != nil
	switch {
	case !st.hasDate && c.Hour != nil && !st.offset && st.days == 0 && !explicitDay:
		// a time alone: the next such time
		if !t.After(now) {
			t = time.Date(y, time.Month(mo), d+1, hour, minute, sec, nsec, loc)
		}
	case st.bareToday && c.Hour != nil && st.days == 7 && !explicitDay:
		// "mon 15:00" on a Monday before 15:00 is today
		if e := time.Date(y, time.Month(mo), d-7, hour, minute, sec, nsec, loc); e.After(now) {
			t = e
		}
	}
	return t.Add(st.elapsed), nil
}

func civil(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// addMonths adds n calendar months, clamping the day to the month's length.
func addMonths(t time.Time, n int) time.Time {
	if n == 0 {
		return t
	}
	first := civil(t.Year(), t.Month(), 1).AddDate(0, n, 0)
	d := min(t.Day(), daysIn(first.Year(), int(first.Month())))
	return civil(first.Year(), first.Month(), d)
}

func daysIn(y, m int) int { return civil(y, time.Month(m)+1, 0).Day() }

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func mod(a, b int) int { return a - floorDiv(a, b)*b }
