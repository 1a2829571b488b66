package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"salesbot/models"
)

// A digest too long for one message is split between reps' blocks, never
// inside one, and every message fits Telegram's limit.
func TestDigestSplitsBetweenRepBlocks(t *testing.T) {
	cat, err := NewCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	b := &Bot{cat: cat}
	d := &models.DailyDigest{TeamName: "North", Loc: time.UTC, Date: "2026-11-24", Week: models.Week{Monday: "2026-11-23"}}
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	for i := range 40 {
		rd := models.RepDay{Rep: models.RepRef{ID: int64(i), Name: fmt.Sprintf("Rep %02d", i)}}
		for j := range 8 {
			rd.Visits = append(rd.Visits, models.VisitLine{At: at, Client: fmt.Sprintf("客户 %02d-%d 有限公司", i, j), Stage: models.StageDemo, Attitude: models.AttitudeWarm})
		}
		d.Reps = append(d.Reps, rd)
	}
	msgs := b.DigestMessages("zh", d, time.Time{})
	if len(msgs) < 2 {
		t.Fatalf("%d messages; the test needs a digest longer than one", len(msgs))
	}
	seen := 0
	for i, m := range msgs {
		if n := textLen(m.Text); n > MaxMessageLen {
			t.Fatalf("message %d has %d characters", i, n)
		}
		for _, blk := range strings.Split(m.Text, "\n\n") {
			if strings.HasPrefix(blk, "👤 ") {
				seen++
				if got := strings.Count(blk, "\n• "); got != 8 {
					t.Fatalf("message %d: a rep block with %d visits (split inside):\n%s", i, got, blk)
				}
			}
		}
	}
	if seen != 40 {
		t.Fatalf("%d rep blocks in all, want 40", seen)
	}
	if !strings.HasPrefix(msgs[0].Text, "📊 North") {
		t.Fatal("the totals are not first")
	}
}

func TestPackMessages(t *testing.T) {
	long := strings.Repeat("x", 30) + "\n" + strings.Repeat("y", 30)
	got := packMessages([]string{"aaaa", "bbbb", long, "", "cc"}, 40)
	want := []string{"aaaa\n\nbbbb", strings.Repeat("x", 30), strings.Repeat("y", 30), "cc"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q", got)
	}
	if got := packMessages([]string{strings.Repeat("z", 50)}, 40); len(got) != 2 || textLen(got[0])+textLen(got[1]) != 50 || textLen(got[1]) > 40 {
		t.Fatalf("monster line: %q", got)
	}
}
