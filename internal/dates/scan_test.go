package dates

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/olebedev/when/rules"
)

// referenceScan is the plain scan the fast one must equal: every rule's
// own regexp (when's, for the two rules scan.go finds by other means) over
// the whole text.
func referenceScan(text string) func(s *spec, low string) [][]int {
	return func(s *spec, _ string) [][]int { return s.re.FindAllStringSubmatchIndex(text, -1) }
}

type candView struct {
	Rule        string
	Left, Right int
	Captures    []string
}

func view(cs []cand) []candView {
	out := make([]candView, len(cs))
	for i, c := range cs {
		out[i] = candView{c.spec.name, c.m.Left, c.m.Right, c.m.Captures}
	}
	return out
}

func sameScan(t *testing.T, text string) {
	t.Helper()
	ref := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	o := &rules.Options{Morning: 9, Distance: 5, MatchByOrder: true}
	for _, mf := range []bool{false, true} {
		got := view(findAll(text, ref, o, mf))
		want := view(findWith(text, ref, o, mf, referenceScan(text)))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("scan of %q (monthFirst %v):\n got %+v\nwant %+v", text, mf, got, want)
		}
	}
}

// dateWords are pieces that make the rules match, and their neighbours.
var dateWords = []string{
	"dec", "Dec.", "december", "sept", "sep.", "SEPT.", "may", "mar", "1st", "first", "twenty-first", "twenty first",
	"thirty first", "of", "20", "3", "31", "2026", "12-20", "5/6", "10:30", "3pm", "a.m.", "at", "on", "in", "a few",
	"days", "next", "week", "mon", "friday", "thu", "tomorrow", "tonight", "end of month", "morning", "noon",
	"ſept", "\u212a", "_", "x", "a", ";", ",", "-", ".", "/", ":", "：", " ", "  ", "\t", "\n", "(", "\xff",
	"明天", "下周一", "周五", "星期三", "礼拜天", "12月", "1日", "5号", "十二", "三", "月", "日", "号", "下午", "3点",
	"半", "30分钟后", "两天后", "月底", "今晚", "上午", "年", "下下", "个", "之", "后",
}

func TestFindAllMatchesReference(t *testing.T) {
	for _, c := range parseCases {
		sameScan(t, c.in)
	}
	for _, c := range quirkCases {
		sameScan(t, c.in)
	}
	for _, c := range peopleCases {
		sameScan(t, c.in)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		var b strings.Builder
		for n := rng.IntN(8) + 1; n > 0; n-- {
			b.WriteString(dateWords[rng.IntN(len(dateWords))])
			if rng.IntN(3) > 0 {
				b.WriteByte(' ')
			}
		}
		sameScan(t, b.String())
	}
}

func FuzzFindAllMatchesReference(f *testing.F) {
	for _, c := range parseCases {
		f.Add(c.in)
	}
	for _, w := range dateWords {
		f.Add(w + " 20")
	}
	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > 512 {
			return
		}
		sameScan(t, in)
	})
}

// TestAlternativesSpellOut pins the reading of when's word patterns.
func TestAlternativesSpellOut(t *testing.T) {
	got := fmt.Sprint(spell(`sept?\.?`), spell(`jan\.?`), spell(`twenty_first`))
	if want := "[sept. sept sep. sep] [jan. jan] [twenty_first]"; got != want {
		t.Fatalf("spell: %s, want %s", got, want)
	}
}
