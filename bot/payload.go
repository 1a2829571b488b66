package bot

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"salesbot/models"
)

// Button payloads are parsed strictly: a forged or stale payload is
// "This button no longer works" and changes nothing. An id is a canonical
// positive decimal (no sign, no leading zero, no spaces), so one id has
// one spelling.

// parseCanonicalID reads one id.
func parseCanonicalID(s string) (int64, bool) {
	if s == "" || len(s) > 19 || s[0] == '0' {
		return 0, false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// parseIDs reads exactly n ids separated by ':'.
func parseIDs(payload string, n int) ([]int64, bool) {
	parts := strings.Split(payload, ":")
	if len(parts) != n {
		return nil, false
	}
	ids := make([]int64, n)
	for i, p := range parts {
		id, ok := parseCanonicalID(p)
		if !ok {
			return nil, false
		}
		ids[i] = id
	}
	return ids, true
}

// payloadShapes lists, for every callback kind, the shapes its payload
// (what follows "KIND:") may take; callback refuses anything else before
// a handler runs. Tokens, separated by ':':
//
//	#        an id (canonical positive decimal)
//	num      a page or choice number (canonical, 0 to maxShownNumber)
//	w        a step, field or language code: [a-z][a-z0-9_]{0,31}
//	g        a grade letter, or "-"
//	st       a stage
//	r        a lost reason
//	code     an invite code (models.InviteCodeLen of the invite alphabet)
//	day      a date YYYY-MM-DD
//	#-#      an id range
//	a|b|c    one of these literals
//
// Each handler then checks what only it can: the record belongs to the
// viewer (storage's viewer-scoped reads), a number is within what was
// shown, a date within what the button could have offered.
var payloadShapes = map[string][]string{
	"lang": {"w"},
	"f":    {"w:c:num", "w:b|s|x|v|k|d"},
	"v":    {"e|u|s|y|k:#", "f:#:w"},
	"c":    {"v|g|s|c|e:#", "G:#:g", "S:#:st", "f:#:w"},
	"ct":   {"s|d|D|n:#", "f:#:w"},
	"cl":   {"g:num"},
	"h":    {"#:num"},
	"hn":   {"#"},
	"o":    {"r|u|w|t|y|k:#"},
	"fu":   {"d|h|m|w|x|v|u:#"},
	"fl":   {"d|h|m|w|x|v|u:#"},
	"pl":   {"u:#-#", "a:day", "s|r|R|n:#", "m:#:day"},
	"jn":   {"y:code", "n"},
	"ra":   {"x", "#:#:#", "#:#:#:*|A|B|C|D", "#:#:#:*|A|B|C|D:ok"},
	"dl":   {"#:r"},
	"as":   {"#"},
	"sh":   {"#:#"},
}

// maxShownNumber bounds page and choice numbers: no list or form shows
// more.
const maxShownNumber = 9999

// payloadFits reports whether payload has one of kind's shapes.
func payloadFits(kind, payload string) bool {
	parts := strings.Split(payload, ":")
	for _, shape := range payloadShapes[kind] {
		tokens := strings.Split(shape, ":")
		if len(tokens) != len(parts) {
			continue
		}
		fits := true
		for i, tok := range tokens {
			if !tokenFits(tok, parts[i]) {
				fits = false
				break
			}
		}
		if fits {
			return true
		}
	}
	return false
}

func tokenFits(tok, s string) bool {
	switch tok {
	case "#":
		_, ok := parseCanonicalID(s)
		return ok
	case "num":
		if s == "0" {
			return true
		}
		n, ok := parseCanonicalID(s)
		return ok && n <= maxShownNumber
	case "w":
		return isWord(s)
	case "g":
		return s == "-" || validGrade(models.Grade(s))
	case "st":
		return models.Stage(s).Valid()
	case "r":
		return slices.Contains(models.LostReasons, models.LostReason(s))
	case "code":
		return models.ValidInviteCode(s)
	case "day":
		t, err := time.Parse(time.DateOnly, s)
		return err == nil && t.Format(time.DateOnly) == s
	case "#-#":
		a, z, ok := strings.Cut(s, "-")
		_, ok1 := parseCanonicalID(a)
		_, ok2 := parseCanonicalID(z)
		return ok && ok1 && ok2
	}
	return slices.Contains(strings.Split(tok, "|"), s)
}

func isWord(s string) bool {
	if s == "" || len(s) > 32 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
