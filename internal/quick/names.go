package quick

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// ParseNames reads a list of names as people type them: one a line, or
// separated by commas, semicolons or 、 ("Acme, Brightway", "华为、小米"),
// perhaps as a numbered or bulleted list ("1. Acme", "- Brightway"). Empty
// items are dropped; the names keep their case and inner spaces.
func ParseNames(s string) []string {
	s = norm.NFC.String(s)
	sep := func(r rune) bool {
		return r == '\n' || r == '\r' || r == ',' || r == '，' || r == ';' || r == '；' || r == '、'
	}
	var out []string
	for _, item := range strings.FieldsFunc(s, sep) {
		item = strings.TrimSpace(item)
		// A list's bullet or number is not part of the name.
		item = strings.TrimLeft(item, "-•*·–— \t")
		if i := strings.IndexFunc(item, func(r rune) bool { return !unicode.IsDigit(r) }); i > 0 {
			if r, w := utf8.DecodeRuneInString(item[i:]); strings.ContainsRune(".)）", r) {
				item = item[i+w:]
			}
		}
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
