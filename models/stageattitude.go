package models

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxStageAttitudeLen bounds what ParseStageAndAttitude tries to split: a
// stage and an attitude are a few words.
const maxStageAttitudeLen = 60

// ParseStageAndAttitude reads a stage and an attitude typed in one answer,
// in either order and with or without a separator: "demo warm", "warm,
// proposal", "报价 热心", "谈判冷淡".
func ParseStageAndAttitude(s string) (Stage, Attitude, bool) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > maxStageAttitudeLen {
		return "", "", false
	}
	trim := func(p string) string {
		return strings.TrimFunc(p, func(r rune) bool {
			return unicode.IsSpace(r) || unicode.IsPunct(r) && r != '/'
		})
	}
	for i := range s {
		if i == 0 {
			continue
		}
		left, right := trim(s[:i]), trim(s[i:])
		if left == "" || right == "" {
			continue
		}
		if st, ok := ParseStage(left); ok {
			if a, ok := ParseAttitude(right); ok {
				return st, a, true
			}
		}
		if a, ok := ParseAttitude(left); ok {
			if st, ok := ParseStage(right); ok {
				return st, a, true
			}
		}
	}
	return "", "", false
}
