package models

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold reduces text to what matters when people type names and keywords:
// full- and half-width forms become one (NFKC), case is folded, and spaces,
// punctuation and symbols are dropped. Letters of every script and digits
// stay, so Chinese names fold too ("ACME Corp." and "acme corp" → "acmecorp";
// "华为（中国）" and "华为 中国" → "华为中国").
func Fold(s string) string {
	s = norm.NFKC.String(s)
	var sb strings.Builder
	sb.Grow(len(s))
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			sb.WriteRune(unicode.ToLower(r))
		}
	}
	return sb.String()
}

// keywords maps folded keywords to their value.
type keywords[T any] map[string]T

func newKeywords[T comparable](kind string, table map[T][]string) keywords[T] {
	k := keywords[T]{}
	for v, words := range table {
		for _, w := range words {
			f := Fold(w)
			if f == "" {
				panic(fmt.Sprintf("words [%s]: %q folds to nothing", kind, w)) // caught by the tests at once
			}
			if have, dup := k[f]; dup && have != v {
				panic(fmt.Sprintf("words [%s]: %q means both %v and %v", kind, w, have, v)) // caught by the tests at once
			}
			k[f] = v
		}
	}
	return k
}

func (k keywords[T]) parse(s string) (T, bool) {
	v, ok := k[Fold(s)]
	return v, ok
}

// The words reps use for each value, from models/words (words.go).
// Matching is on folded text: "Demo / Trial", "demo-trial" and "ＤＥＭＯ" are
// all "demotrial" or "demo".
var (
	stageWords     = kindKeywords[Stage](kindStage)
	attitudeWords  = kindKeywords[Attitude](kindAttitude)
	methodWords    = kindKeywords[Method](kindMethod)
	roleWords      = kindKeywords[DecisionRole](kindRole)
	objectionWords = kindKeywords[ObjectionCategory](kindObjection)
	gradeWords     = kindKeywords[Grade](kindGrade)
)

// ParseStage reads a stage as reps name it ("demo", "报价", "closed lost").
func ParseStage(s string) (Stage, bool) { return stageWords.parse(s) }

// ParseAttitude reads a client's attitude ("warm", "一般").
func ParseAttitude(s string) (Attitude, bool) { return attitudeWords.parse(s) }

// ParseMethod reads how a visit happened ("phone", "面谈", "wechat").
func ParseMethod(s string) (Method, bool) { return methodWords.parse(s) }

// ParseDecisionRole reads one role in the decision group ("buyer", "决策者").
func ParseDecisionRole(s string) (DecisionRole, bool) { return roleWords.parse(s) }

// ParseObjectionCategory reads an objection category ("price", "没预算").
func ParseObjectionCategory(s string) (ObjectionCategory, bool) { return objectionWords.parse(s) }

// ParseGrade reads a grade ("A", "b级", "重点客户").
func ParseGrade(s string) (Grade, bool) { return gradeWords.parse(s) }

// ParseDecisionRoles reads a list of roles ("buyer, user", "采购、使用者",
// "buyer and influencer"). ok is false when any item is not a role.
func ParseDecisionRoles(s string) ([]DecisionRole, bool) {
	items := splitList(s)
	if len(items) == 0 {
		return nil, false
	}
	var out []DecisionRole
	for _, it := range items {
		r, ok := ParseDecisionRole(it)
		if !ok {
			return nil, false
		}
		out = AddRoles(out, r)
	}
	return out, true
}

// AddRoles returns roles with add appended, without duplicates, in the
// order of DecisionRoles.
func AddRoles(roles []DecisionRole, add ...DecisionRole) []DecisionRole {
	have := map[DecisionRole]bool{}
	for _, r := range roles {
		have[r] = true
	}
	for _, r := range add {
		have[r] = true
	}
	var out []DecisionRole
	for _, r := range DecisionRoles {
		if have[r] {
			out = append(out, r)
		}
	}
	return out
}

// listSeparators are the words between the items of a list.
var listSeparators = askWords(kindList, "and")

// splitList splits "a, b and c" / "甲、乙和丙" / "a/b" into trimmed items.
func splitList(s string) []string {
	s = norm.NFKC.String(s)
	for _, sep := range listSeparators {
		s = strings.ReplaceAll(s, sep, ",")
	}
	var out []string
	for _, it := range strings.Split(s, ",") {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}
