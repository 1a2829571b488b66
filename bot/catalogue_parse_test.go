package bot

import (
	"testing"
	"time"
)

// A message is parsed once, not on every T: parsing a template costs
// several times what executing it does, in every confirmation's lines.
func TestCatalogueKeepsParsedMessages(t *testing.T) {
	c, err := NewCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]any{"Client": "Acme", "At": time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC).String()}
	want := c.T("en", "visit_saved", data)
	allocs := testing.AllocsPerRun(100, func() {
		if got := c.T("en", "visit_saved", data); got != want {
			t.Fatalf("T = %q, then %q", want, got)
		}
	})
	t.Logf("%.0f allocations a message", allocs)
	if allocs > 25 {
		t.Errorf("T allocates %.0f times a message: is the template parsed again each time?", allocs)
	}
}
