package bot_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"salesbot/internal/apptest"
	"salesbot/internal/storage"
	"salesbot/models"
)

// bigTeam is North with bob's n clients ("Client 0 Trading", ...) and
// li's "小米科技" and "小米", li and ann reps there.
func bigTeam(t *testing.T, n int, opts ...apptest.Option) *apptest.Harness {
	t.Helper()
	h := apptest.New(t, opts...)
	north := teamWithClients(t, h, n)
	h.Member(li, "North", "rep")
	h.Member(ann, "North", "rep")
	u, err := h.App.DB.UserByTelegramID(context.Background(), li.ID)
	if err != nil {
		t.Fatal(err)
	}
	var cs []*models.Client
	for _, name := range []string{"小米科技", "小米"} {
		cs = append(cs, &models.Client{TeamID: north.ID, Name: name, OwnerID: u.ID, Grade: models.GradeB})
	}
	if err := h.App.DB.InsertBulk(context.Background(), &storage.Bulk{Clients: cs}); err != nil {
		t.Fatal(err)
	}
	return h
}

// A /visit typed without ";" finds its client in a team of 20,000 (the
// longest of the line's prefixes that is a client's name, looked up in the
// name index), in English and in Chinese, glued or not.
func TestUnseparatedVisitFindsItsClientAmong20000(t *testing.T) {
	unseparatedFinds(t, bigTeam(t, 20000))
}

// The same on PostgreSQL, and the refusal of a teammate's client.
func TestUnseparatedVisitOnPostgres(t *testing.T) {
	h := bigTeam(t, 20000, apptest.Postgres(t))
	unseparatedFinds(t, h)
	unseparatedRefuses(t, h)
}

func unseparatedFinds(t *testing.T, h *apptest.Harness) {
	t.Helper()
	for _, c := range []struct {
		who  string
		in   string
		want []string
	}{
		{"bob", "/visit Client 12345 Trading met Li demo warm", []string{"“Client 12345 Trading” → client Client 12345 Trading", "“met Li” → met Li", "stage: demo / trial", "attitude: warm"}},
		// The longest prefix with the name's key: the comma goes with the
		// name, not into a note.
		{"bob", "/visit client 19999 trading, demo", []string{"• “Client 19999 Trading” → client Client 19999 Trading", "stage: demo / trial"}},
		{"li", "/visit 小米科技 见了张工 谈判", []string{"“小米科技” → 客户 小米科技", "“见了张工” → 见了 张工", "业务进度:谈判"}},
		{"li", "/visit 小米见了王工 报价", []string{"“小米” → 客户 小米", "“见了王工” → 见了 王工"}},
	} {
		who := bob
		if c.who == "li" {
			who = li
		}
		got := h.Send(who, c.in)
		apptest.MustContain(t, got, c.want...)
		if j := apptest.Joined(got); strings.Contains(j, "new client") || strings.Contains(j, "新客户") || strings.Contains(j, "“,”") {
			t.Errorf("%s: a new client, or a note of the comma:\n%s", c.in, j)
		}
	}
}

// A teammate's client the rep may not see is no way in without ";"
// either: the line is refused exactly as "/visit NAME; ..." is (who owns
// it, and the button asking a manager to share it), also when a shorter
// prefix is a client the rep sees, and nothing is saved.
func TestUnseparatedVisitRefusesATeammatesClient(t *testing.T) {
	unseparatedRefuses(t, bigTeam(t, 20000))
}

func unseparatedRefuses(t *testing.T, h *apptest.Harness) {
	t.Helper()
	apptest.MustContain(t, h.Send(ann, "/visit Client 7; demo"), "new client Client 7")
	before, err := h.App.DB.RowCounts(t.Context(), "visits", "clients")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]string{
		{"/visit Client 7 Trading met Li demo warm", "/visit Client 7 Trading; met Li; demo; warm"},
		{"/visit client 12345 trading demo", "/visit client 12345 trading; demo"},
	} {
		unsep, sep := h.Send(ann, c[0]), h.Send(ann, c[1])
		apptest.MustContain(t, sep, "is a client of Bob, and not shared with you")
		if len(unsep) != len(sep) {
			t.Fatalf("%s:\n%s\n%s:\n%s", c[0], apptest.Joined(unsep), c[1], apptest.Joined(sep))
		}
		for i := range sep {
			if unsep[i].Text != sep[i].Text || fmt.Sprint(unsep[i].Buttons) != fmt.Sprint(sep[i].Buttons) {
				t.Errorf("%s: %q %v\n%s: %q %v", c[0], unsep[i].Text, unsep[i].Buttons, c[1], sep[i].Text, sep[i].Buttons)
			}
		}
	}
	after, err := h.App.DB.RowCounts(t.Context(), "visits", "clients")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("rows before the refusals %v, after %v", before, after)
	}
}

// The unseparated /visit costs the same statements in a team of 100
// clients as in one of 20,000, and no more than the same visit typed with
// ";": its one lookup of the line's prefixes stands in for the name's.
//
// The averages may differ by a stray statement or two over the 20
// messages (a form's read-back, a harness count): slack is a quarter of a
// statement a message, where a lookup that grew with the team would cost
// one or more on every message.
func TestUnseparatedVisitStatementsAreFlat(t *testing.T) {
	const slack = 0.25
	var unsep [2]float64
	for i, n := range []int{100, 20000} {
		h := bigTeam(t, n)
		h.Send(bob, "/visit Client 0 Trading demo") // the first visit may ask for a grade
		unsep[i] = statementsPer(t, h, bob, 20, func(i int) string { return fmt.Sprintf("/visit Client %d Trading demo warm", i+1) }, "Visit saved")
		sep := statementsPer(t, h, bob, 20, func(i int) string { return fmt.Sprintf("/visit Client %d Trading; demo; warm", i+41) }, "Visit saved")
		t.Logf("%d clients: %.1f statements an unseparated visit, %.1f with \";\"", n, unsep[i], sep)
		if unsep[i] > sep+slack {
			t.Errorf("%d clients: %.1f statements an unseparated visit, %.1f with \";\"", n, unsep[i], sep)
		}
	}
	if math.Abs(unsep[0]-unsep[1]) > slack {
		t.Errorf("an unseparated visit costs %.1f statements at 100 clients, %.1f at 20,000", unsep[0], unsep[1])
	}
}
