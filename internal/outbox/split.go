package outbox

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxTextLen is Telegram's limit for a message's text and MaxCaptionLen for
// a file's caption, both in UTF-16 code units (how Telegram counts).
const (
	MaxTextLen    = 4096
	MaxCaptionLen = 1024
)

// utf16Len counts s the way Telegram does.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r) // invalid bytes read as U+FFFD: one unit
	}
	return n
}

// SplitText cuts text into parts of at most max UTF-16 units, at line
// boundaries where it can: the lines of a part are kept whole and the
// newline between two parts is dropped. A single line longer than max is
// cut at the last space that fits, or else between two characters. Parts
// that would hold only blank lines are left out.
func SplitText(text string, max int) []string {
	if utf16Len(text) <= max {
		return []string{text}
	}
	var parts, cur []string
	curLen := 0
	flush := func() {
		if p := strings.Join(cur, "\n"); strings.TrimSpace(p) != "" {
			parts = append(parts, p)
		}
		cur, curLen = nil, 0
	}
	for _, line := range strings.Split(text, "\n") {
		l := utf16Len(line)
		if len(cur) > 0 && curLen+1+l <= max {
			cur, curLen = append(cur, line), curLen+1+l
			continue
		}
		if len(cur) > 0 {
			flush()
		}
		for l > max {
			head, tail := cutLine(line, max)
			cur = []string{head}
			flush()
			line, l = tail, utf16Len(tail)
		}
		cur, curLen = []string{line}, l
	}
	flush()
	return parts
}

// cutLine cuts a line longer than max into a head that fits (ending at the
// last space, if there is one in its second half) and the rest.
func cutLine(line string, max int) (head, tail string) {
	n, end := 0, 0
	for i := 0; i < len(line); {
		r, size := utf8.DecodeRuneInString(line[i:])
		rl := utf16.RuneLen(r)
		if n+rl > max {
			break
		}
		n += rl
		i += size
		end = i
	}
	if end == 0 { // max is below one character's width: take the character
		_, end = utf8.DecodeRuneInString(line)
	}
	if sp := strings.LastIndexByte(line[:end], ' '); sp > end/2 {
		return line[:sp], line[sp+1:]
	}
	return line[:end], line[end:]
}
