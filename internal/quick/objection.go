package quick

import (
	"strings"
	"unicode/utf8"

	"salesbot/models"
)

// Objection is a quick objection as read.
type Objection struct {
	Client   string
	Category models.ObjectionCategory
	// Words are the client's words: quoted parts, "said: ..." and anything
	// not recognised, in the order typed.
	Words  string
	Answer string
	Parts  []Part
}

// quotes pairs opening and closing quote marks.
var quotes = map[rune]rune{'"': '"', '“': '”', '「': '」', '『': '』', '\'': '\'', '‘': '’', '«': '»'}

// unquote returns the text inside matching quotes around s.
func unquote(s string) (string, bool) {
	first, size := utf8.DecodeRuneInString(s)
	closing, ok := quotes[first]
	if !ok || len(s) <= size {
		return "", false
	}
	last, lsize := utf8.DecodeLastRuneInString(s)
	if last != closing || len(s) < size+lsize {
		return "", false
	}
	return strings.TrimSpace(s[size : len(s)-lsize]), true
}

// ParseObjection reads "/objection CLIENT; category; "client's words";
// answer: ...". The client comes first unless the first part is plainly
// something else (a category word, quoted words, "answer: ...").
func ParseObjection(text string) *Objection {
	o := &Objection{}
	for i, raw := range splitParts(text) {
		p := readObjectionPart(raw)
		if i == 0 && p.Kind == KindWords && p.Reason == ReasonUnknown {
			o.Client = raw
			o.Parts = append(o.Parts, Part{Text: raw, Kind: KindClient, Value: raw})
			continue
		}
		switch p.Kind {
		case KindCategory:
			if o.Category != "" {
				p = Part{Text: raw, Kind: KindWords, Value: raw, Reason: ReasonTwice}
				o.Words = joinText(o.Words, raw)
			} else {
				o.Category = models.ObjectionCategory(p.Value)
			}
		case KindAnswer:
			o.Answer = joinText(o.Answer, p.Value)
		default:
			o.Words = joinText(o.Words, p.Value)
		}
		o.Parts = append(o.Parts, p)
	}
	return o
}

func readObjectionPart(raw string) Part {
	if inner, ok := unquote(raw); ok {
		return Part{Text: raw, Kind: KindWords, Value: inner, Reason: "quoted"}
	}
	if kind, value, ok := cutPrefix(raw); ok {
		if inner, ok := unquote(value); ok {
			value = inner
		}
		switch kind {
		case KindAnswer:
			return Part{Text: raw, Kind: KindAnswer, Value: value}
		case KindWords:
			return Part{Text: raw, Kind: KindWords, Value: value, Reason: "said"}
		case KindCategory:
			if c, ok := models.ParseObjectionCategory(value); ok {
				return Part{Text: raw, Kind: KindCategory, Value: string(c)}
			}
			return Part{Text: raw, Kind: KindWords, Value: raw, Reason: ReasonBadItem}
		}
	}
	if c, ok := models.ParseObjectionCategory(raw); ok {
		return Part{Text: raw, Kind: KindCategory, Value: string(c)}
	}
	return Part{Text: raw, Kind: KindWords, Value: raw, Reason: ReasonUnknown}
}
