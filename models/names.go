package models

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NameKey is a client's name folded for matching (see Fold): two names
// with the same key are the same client in a team.
func NameKey(name string) string { return Fold(name) }

// legalWords are the trailing words of company names that do not tell
// companies apart ("Acme Corp." and "Acme Ltd" share the core "acme").
var legalWords = map[string]bool{
	"corp": true, "corporation": true, "inc": true, "incorporated": true, "ltd": true, "limited": true,
	"llc": true, "plc": true, "co": true, "company": true, "gmbh": true, "ag": true, "sa": true,
	"srl": true, "bv": true, "nv": true, "pty": true, "group": true, "holding": true, "holdings": true,
}

// legalSuffixesZH are the Chinese endings of company names, longest first.
var legalSuffixesZH = []string{
	"股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团公司", "总公司", "分公司",
	"集团", "公司", "科技", "技术", "中国",
}

// CoreKey is a client name without its legal form, folded: the part that
// names the company ("ACME Corp." → "acme", "华为技术有限公司" → "华为").
// Names that share a core but not a key are close, not equal: the bot asks.
func CoreKey(name string) string {
	words := strings.FieldsFunc(norm.NFKC.String(name), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
	for len(words) > 1 && legalWords[strings.ToLower(words[len(words)-1])] {
		words = words[:len(words)-1]
	}
	core := Fold(strings.Join(words, " "))
	for trimmed := true; trimmed; {
		trimmed = false
		for _, suf := range legalSuffixesZH {
			if rest, ok := strings.CutSuffix(core, suf); ok && rest != "" {
				core, trimmed = rest, true
				break
			}
		}
	}
	if core == "" {
		return Fold(name)
	}
	return core
}

// Closeness says how alike two client names are, from 0 (nothing alike)
// to 1 (the same key). Same core ("Acme Corp" / "Acme Ltd") is 0.95, one
// core inside the other ("华为" / "深圳华为") 0.85, otherwise the share of
// characters an edit does not have to change.
func Closeness(a, b string) float64 {
	ka, kb := NameKey(a), NameKey(b)
	if ka == "" || kb == "" {
		return 0
	}
	if ka == kb {
		return 1
	}
	ca, cb := CoreKey(a), CoreKey(b)
	if ca == cb {
		return 0.95
	}
	// Numbers tell apart what letters do not: "Plant 1" is not "Plant 2".
	if da, db := digits(ca), digits(cb); da != "" && db != "" && da != db {
		return 0
	}
	short, long := ca, cb
	if utf8.RuneCountInString(short) > utf8.RuneCountInString(long) {
		short, long = long, short
	}
	if strings.Contains(long, short) && utf8.RuneCountInString(short) >= minContained(short) {
		return 0.85
	}
	ra, rb := []rune(ca), []rune(cb)
	n := max(len(ra), len(rb))
	return 1 - float64(levenshtein(ra, rb))/float64(n)
}

func digits(s string) string {
	var sb strings.Builder
	for _, r := range s {
		if unicode.IsDigit(r) {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

// minContained is how long a core must be for containment to count: two
// Chinese characters name a company ("华为"), Latin needs three letters.
func minContained(core string) int {
	for _, r := range core {
		if unicode.Is(unicode.Han, r) {
			return 2
		}
	}
	return 3
}

// CloseEnough is the Closeness from which the bot asks "did you mean".
const CloseEnough = 0.75

// levenshtein is the edit distance between two rune strings.
func levenshtein(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// NameMatch is a client whose name is close to a typed one.
type NameMatch struct {
	Client *Client
	Score  float64
}

// MatchClient looks for a typed name among clients: the one with the same
// key (exact), else up to limit clients that are close enough, closest
// first.
func MatchClient(typed string, clients []*Client, limit int) (exact *Client, close []NameMatch) {
	if utf8.RuneCountInString(typed) > MaxNameLen {
		// No client has a name this long (Validate refuses it), and
		// comparing it would cost its length times every candidate's.
		return nil, nil
	}
	key := NameKey(typed)
	for _, c := range clients {
		if NameKey(c.Name) == key {
			return c, nil
		}
	}
	for _, c := range clients {
		if s := Closeness(typed, c.Name); s >= CloseEnough {
			close = append(close, NameMatch{Client: c, Score: s})
		}
	}
	sort.SliceStable(close, func(i, j int) bool { return close[i].Score > close[j].Score })
	if len(close) > limit {
		close = close[:limit]
	}
	return nil, close
}

// MaxNameGrams bounds the grams of one name (MaxNameLen keeps names short;
// this keeps a lookup's query small whatever is typed).
const MaxNameGrams = 64

// NameGrams are the index terms of a client name: the character trigrams
// of its core (CoreKey), padded with a space at each end so that short
// cores and the start and end of a name count ("华为" → " 华为", "华为 ").
// Two names Closeness finds close share at least one gram — the same core,
// one core inside the other, or few edits apart — so the grams find the
// candidates and Closeness ranks only those.
func NameGrams(name string) []string {
	core := []rune(" " + CoreKey(name) + " ")
	if len(core) < 3 {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for i := 0; i+3 <= len(core) && len(out) < MaxNameGrams; i++ {
		g := string(core[i : i+3])
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}
