package bot

import (
	"slices"
	"testing"
)

// A typed form answer is read as a button (its label without marks, or its
// number) only when it names one offered; a number is a button number only
// in 0–99.
func FuzzFormAnswer(f *testing.F) {
	for _, s := range []string{"1", "7", "+5", "✓ Done", "完成", "demo", "4. demo / trial", "", "  2  ", "99", "100"} {
		f.Add(s)
	}
	cs := []Choice{{"✓ Zhou (buyer)", "id:1"}, {"Qian", "id:2"}, {"✓ 完成", "done"}, {"4. demo / trial", "demo"}}
	values := []string{"id:1", "id:2", "done", "demo"}
	f.Fuzz(func(t *testing.T, s string) {
		if v, ok := matchChoice(cs, s); ok && !slices.Contains(values, v) {
			t.Fatalf("%q read as %q, not an offered value", s, v)
		}
		if n, ok := buttonNumber(s); ok && (n < 0 || n > 99) {
			t.Fatalf("%q read as button %d", s, n)
		}
		_ = bareLabel(s)
	})
}
