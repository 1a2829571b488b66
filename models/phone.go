package models

import (
	"strings"
	"unicode"
)

// Phone numbers as people type them: "+86 138 0013 8000", "010-6552 9988",
// "(021) 5432-1000 ext 12", "0755-8888 8888转123". What is kept is what was
// typed; the check only refuses what cannot be dialled, so a name or a
// mistyped button number never lands in the phone column.
const (
	minPhoneDigits = 6
	maxPhoneDigits = 20
)

// phoneExtensions separate a number from its extension.
var phoneExtensions = askWords(kindPhone, "extension")

// CheckPhone refuses text that is not a phone number, with an example.
func CheckPhone(s string) error {
	if !IsPhone(s) {
		return Errorf(EINVALID, "err_phone", map[string]any{"Value": s})
	}
	return nil
}

// IsPhone reports whether s reads as a phone number: an optional leading
// "+", 6–20 digits grouped by spaces, "-", ".", "/" or brackets, and
// optionally an extension of digits.
func IsPhone(s string) bool {
	s = strings.TrimSpace(s)
	main, ext := s, ""
	// only ASCII letters are folded, so indexes into lower are indexes into s
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	lower := string(b)
	for _, sep := range phoneExtensions {
		if i := strings.Index(lower, sep); i > 0 {
			main, ext = s[:i], strings.TrimSpace(s[i+len(sep):])
			break
		}
	}
	if ext != "" && !allDigits(ext) || ext == "" && main != s {
		return false
	}
	main = strings.TrimSpace(main)
	main = strings.TrimPrefix(main, "+")
	digits, open := 0, false
	for _, r := range main {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '(':
			if open {
				return false
			}
			open = true
		case r == ')':
			if !open {
				return false
			}
			open = false
		case r == ' ' || r == '-' || r == '.' || r == '/':
		default:
			return false
		}
	}
	return !open && digits >= minPhoneDigits && digits <= maxPhoneDigits
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r > unicode.MaxASCII || r < '0' || r > '9' {
			return false
		}
	}
	return true
}
