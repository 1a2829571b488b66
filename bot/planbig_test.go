package bot_test

import (
	"fmt"
	"strings"
	"testing"

	"salesbot/internal/apptest"
	"salesbot/internal/quick"
)

// A multi-item /plan finds its clients in a team of 20,000 (each item's
// longest name prefix that is a client's, looked up in the name index at
// once), in English and in Chinese, glued or not: no new cards.
func TestPlanFindsItsClientsAmong20000(t *testing.T) {
	planFinds(t, bigTeam(t, 20000))
}

// The same on PostgreSQL, and the refusal of a teammate's client.
func TestPlanOnPostgres(t *testing.T) {
	h := bigTeam(t, 20000, apptest.Postgres(t))
	planFinds(t, h)
	planRefuses(t, h)
}

func planFinds(t *testing.T, h *apptest.Harness) {
	t.Helper()
	got := h.Send(bob, "/plan next mon Client 12345 Trading demo; 周三 client 19999 trading, 报价\nfri CLIENT 7 TRADING")
	apptest.MustContain(t, got, "Added to your plan for week", "Client 12345 Trading — demo", "Client 19999 Trading — 报价", "⏳ Fri 4 Dec Client 7 Trading")
	got = h.Send(li, "/plan next 周一小米科技演示；周二小米 报价; fri 小米科技 contract")
	apptest.MustContain(t, got, "已加入第", "小米科技 — 演示", "小米 — 报价", "小米科技 — contract")
	for _, m := range [][]string{
		{"bob", "/plan next sat Client 0 Trading"}, {"li", "/plan next 周日小米"},
	} {
		who := bob
		if m[0] == "li" {
			who = li
		}
		got = append(got, h.Send(who, m[1])...)
	}
	if j := apptest.Joined(got); strings.Contains(j, "New client card") || strings.Contains(j, "新建客户档案") {
		t.Errorf("a new card:\n%s", j)
	}
}

// A teammate's client the rep may not see is told whose it is, also when
// its name has several words and a shorter prefix is the rep's own client;
// nothing is saved.
func TestPlanRefusesATeammatesClient(t *testing.T) {
	planRefuses(t, bigTeam(t, 20000))
}

func planRefuses(t *testing.T, h *apptest.Harness) {
	t.Helper()
	apptest.MustContain(t, h.Send(ann, "/plan next tue Client intro"), "New client card: Client")
	before, err := h.App.DB.RowCounts(t.Context(), "clients")
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{"/plan next mon Client 7 Trading demo", "/plan next wed Beta; thu client 12345 trading, quote"} {
		apptest.MustContain(t, h.Send(ann, in), "is a client of Bob, and not shared with you")
	}
	after, err := h.App.DB.RowCounts(t.Context(), "clients")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("rows before the refusals %v, after %v", before, after)
	}
	if j := apptest.Joined(h.Send(ann, "/plan")); strings.Count(j, "⏳") != 1 || !strings.Contains(j, "⏳ Tue 1 Dec Client — intro") {
		t.Errorf("ann's plan after the refusals:\n%s", j)
	}
}

// A /plan costs the same statements in a team of 100 clients as in one of
// 20,000: its items' names are one indexed read, not the team's list.
func TestPlanStatementsAreFlat(t *testing.T) {
	var per [2]float64
	for i, n := range []int{100, 20000} {
		h := bigTeam(t, n)
		per[i] = statementsPer(t, h, bob, 20, func(i int) string {
			return fmt.Sprintf("/plan next mon Client %d Trading demo; 周三Client %d Trading 报价", i+1, i+41)
		}, "Added to your plan")
		t.Logf("%d clients: %.1f statements a /plan of two items", n, per[i])
	}
	if per[0] != per[1] {
		t.Errorf("a /plan costs %.1f statements at 100 clients, %.1f at 20,000", per[0], per[1])
	}
}

// A 4 KB /plan (a Telegram message) of many items looks up all their
// prefixes in one read and is answered: refused for its length, not
// failed on the database's limit of bound values.
func TestPlanLongMessageIsAnswered(t *testing.T) { planLong(t, bigTeam(t, 100)) }

func TestPlanLongMessageOnPostgres(t *testing.T) { planLong(t, bigTeam(t, 100, apptest.Postgres(t))) }

func planLong(t *testing.T, h *apptest.Harness) {
	t.Helper()
	for _, unit := range []string{"周一华为科技有限公司报价；", "mon Client 1 Trading demo; ", "mon a; "} {
		in := "/plan next " + strings.Repeat(unit, (4096-len("/plan next "))/len(unit))
		apptest.MustContain(t, h.Send(bob, in), "one message can add at most 50. Nothing was saved")
	}
	// Items that differ: every prefix is another key (about 1,500).
	var b strings.Builder
	b.WriteString("/plan next ")
	for i := 0; b.Len() < 4000; i++ {
		fmt.Fprintf(&b, "mon %d a b c d e f g h i j k l; ", i)
	}
	keys := len(quick.PlanNamePrefixes(b.String()[len("/plan next "):]))
	if keys < 1000 {
		t.Fatalf("%d prefixes", keys)
	}
	t.Logf("%d bytes, %d prefixes", b.Len(), keys)
	apptest.MustContain(t, h.Send(bob, b.String()), "one message can add at most 50. Nothing was saved")
	in := "/plan next mon " + strings.Repeat("华", 4000/len("华")) // one item of 1,333 boundaries
	apptest.MustContain(t, h.Send(bob, in), "Too long — client name: 1333 characters, at most 200 fit")
}
