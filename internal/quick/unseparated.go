package quick

import (
	"strings"
	"time"
	"unicode"

	"salesbot/models"
)

// Unseparated is what ParseUnseparated made of a quick visit typed without
// ";" between its parts.
type Unseparated struct {
	// Visit is the reading when the text starts with a known client's name
	// (nil otherwise).
	Visit *Visit
	// Suggest, when the text does not start with a known client but
	// contains words that read as parts, is the same text with ";" between
	// the parts, to offer instead of creating a client named after the
	// whole line ("小米 见了张工 谈判" → "小米; 见了张工; 谈判").
	Suggest string
	// BadTime, with Suggest, is an impossible clock time among the parts
	// ("26:00"): the line is refused for it rather than offered again.
	BadTime string
}

// ParseUnseparated reads a quick visit without ";" ("小米 见了张工 谈判",
// "Acme met Li demo"). The client is the longest known name the text starts
// with (ending at a word boundary, or anywhere in Chinese), and the rest is
// read by the same part parser, a run of words at a time: the longest run
// that reads as a part is one part; words that read as nothing are a note.
// With no known name, the first word is taken as the client only to build
// Suggest; both results are empty when nothing after it reads as a part
// (a client named "Acme Corp" is just that).
func ParseUnseparated(text string, clients []string, now time.Time, loc *time.Location) Unseparated {
	text = strings.TrimSpace(text)
	if text == "" || strings.ContainsAny(text, ";；\n\r") {
		return Unseparated{}
	}
	if name, rest, ok := knownPrefix(text, clients); ok && rest != "" {
		parts := readRuns(rest, now, loc)
		if parts == nil {
			return Unseparated{}
		}
		v := &Visit{Client: name}
		v.Parts = append(v.Parts, Part{Text: name, Kind: KindClient, Value: name})
		for _, p := range parts {
			v.apply(p)
		}
		return Unseparated{Visit: v}
	}
	first, rest := splitFirst(text)
	if rest == "" {
		return Unseparated{}
	}
	parts := readRuns(rest, now, loc)
	if parts == nil {
		return Unseparated{}
	}
	texts := []string{first}
	bad := ""
	for _, p := range parts {
		texts = append(texts, p.Text)
		if p.Kind == KindBadTime && bad == "" {
			bad = p.Value
		}
	}
	return Unseparated{Suggest: strings.Join(texts, "; "), BadTime: bad}
}

// MaxNamePrefixes bounds the prefixes NamePrefixes offers: a line's first
// 64 word boundaries (characters in Chinese) hold any client name people
// type before the parts.
const MaxNamePrefixes = 64

// NamePrefixes are the beginnings of a quick visit typed without ";" that
// may be a client's name, shortest first: each ends at a word boundary
// (anywhere in Chinese, see nameBoundary), is at most models.MaxNameLen
// characters, and there are at most MaxNamePrefixes of them. The caller
// looks them all up in the name index at once (by models.NameKey, the key
// names are stored under) and hands ParseUnseparated the names found,
// never the team's whole client list.
func NamePrefixes(text string) []string {
	text = strings.TrimSpace(text)
	if strings.ContainsAny(text, ";；\n\r") {
		return nil
	}
	r := []rune(text)
	ends := prefixEnds(r)
	out := make([]string, len(ends))
	for i, n := range ends {
		out[i] = string(r[:n])
	}
	return out
}

// prefixEnds are where the prefixes of NamePrefixes end, in runes.
func prefixEnds(r []rune) []int {
	var ends []int
	for n := 1; n <= len(r) && n <= models.MaxNameLen && len(ends) < MaxNamePrefixes; n++ {
		if nameBoundary(r, n) && !unicode.IsSpace(r[n-1]) {
			ends = append(ends, n)
		}
	}
	return ends
}

// knownPrefix finds the longest prefix of text (NamePrefixes) that is a
// client's name, by key (models.NameKey: case, width and punctuation
// aside), and returns that client's name as stored.
func knownPrefix(text string, clients []string) (name, rest string, ok bool) {
	if len(clients) == 0 {
		return "", "", false
	}
	return cutKnown(text, byKey(clients, func(c string) string { return c }))
}

// byKey indexes items by the key of their name (models.NameKey), the first
// item of each key; names that fold to nothing are left out.
func byKey[T any](items []T, name func(T) string) map[string]T {
	known := make(map[string]T, len(items))
	for _, it := range items {
		if k := foldName(name(it)); k != "" {
			if _, dup := known[k]; !dup {
				known[k] = it
			}
		}
	}
	return known
}

// cutKnown cuts the longest prefix of text (of those NamePrefixes offers)
// whose key (models.NameKey) is known: its item, and the text after it.
func cutKnown[T any](text string, known map[string]T) (item T, rest string, ok bool) {
	r := []rune(text)
	ends := prefixEnds(r)
	for i := len(ends) - 1; i >= 0; i-- {
		if it, ok := known[foldName(string(r[:ends[i]]))]; ok {
			return it, strings.TrimSpace(string(r[ends[i]:])), true
		}
	}
	return item, "", false
}

// splitFirst cuts the first word off: at a space, or after the Han run a
// Chinese line starts with when a part word follows without a space.
func splitFirst(text string) (string, string) {
	if i := strings.IndexFunc(text, unicode.IsSpace); i > 0 {
		return text[:i], strings.TrimSpace(text[i:])
	}
	return text, ""
}

// A run of words is read as a part only within these bounds, so that a
// line costs a few reads a word, not a read of every run (cubic in the
// words: a 4 KB line took 20 s): the shortest run that starts a part has
// at most maxLead words ("met Li", "next friday 3pm", "下周三 下午3点"), a
// part grows to at most maxRun words ("met Li (buyer)", "next: send the
// quote"; the words after it start the next part, or a note), and parts
// start only in the first maxWords words: the rest of a longer line is a
// note. A 4 KB line is read in about 2 ms (TestParseUnseparatedLongLines).
const (
	maxLead  = 4
	maxRun   = 24
	maxWords = 256
)

// readRuns reads words as parts. At each word the shortest run of words
// that reads as a part (not a note) starts one; it grows over the words
// after it while they read as nothing on their own ("met Li (buyer)"), and
// a "key: value" part to the next "key:" ("next: send the quote"). Words
// that start no part are collected as a note. nil when no part was read.
func readRuns(text string, now time.Time, loc *time.Location) []Part {
	words := strings.Fields(text)
	read := func(ws []string) Part { return readVisitPart(strings.Join(ws, " "), false, now, loc) }
	isPart := func(p Part) bool { return p.Kind != KindNote && !(p.Kind == KindContact && len(p.Contacts) == 0) }
	// alone[i] is whether words[i] reads as a part by itself, read once.
	alone := make([]int8, len(words))
	partAlone := func(i int) bool {
		if alone[i] == 0 {
			alone[i] = -1
			if isPart(read(words[i : i+1])) {
				alone[i] = 1
			}
		}
		return alone[i] > 0
	}
	startsKey := func(w string) bool { _, _, ok := cutPrefix(w); return ok }
	var out []Part
	var note []string
	flush := func() {
		if len(note) > 0 {
			raw := strings.Join(note, " ")
			out = append(out, Part{Text: raw, Kind: KindNote, Value: raw, Reason: ReasonUnknown})
			note = nil
		}
	}
	found := false
	for i := 0; i < len(words); {
		if i >= maxWords {
			note = append(note, words[i:]...)
			break
		}
		end := 0
		var part Part
		for j := i + 1; j <= len(words) && j-i <= maxLead; j++ {
			if j == i+1 && !partAlone(i) {
				continue
			}
			if p := read(words[i:j]); isPart(p) {
				end, part = j, p
				break
			}
		}
		if end == 0 {
			note = append(note, words[i])
			i++
			continue
		}
		key := startsKey(words[i])
		for end < len(words) && end-i < maxRun {
			next := words[end]
			if key && startsKey(next) || !key && partAlone(end) {
				break
			}
			p := read(words[i : end+1])
			if !isPart(p) || p.Kind != part.Kind {
				break
			}
			end, part = end+1, p
		}
		flush()
		out = append(out, part)
		found = true
		i = end
	}
	flush()
	if !found {
		return nil
	}
	return out
}
