package bot_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
	"salesbot/models"
)

func TestDuplicateNamesAreMatched(t *testing.T) {
	h := salesTeam(t)
	h.Send(ann, "/visit ACME Corp.; demo")
	acme := clientNamed(t, h, "North", "Acme Corp")

	// A teammate's client is not theirs to log (nor a new client): it is
	// whose it is. Once the team shares its clients with all reps, it is.
	apptest.MustContain(t, h.Send(wei, "/visit acme corp; warm"), "ACME Corp. 是 Ann 的客户,没有共享给你。")
	apptest.MustContain(t, h.Send(wei, "/settings shared on"), "/settings 仅限")
	apptest.MustContain(t, h.Send(apptest.Admin, "/settings North"), "Clients: each rep sees the clients they own or that a manager shared with them (/settings shared on shares all)")
	got := h.Send(apptest.Admin, "/settings North shared on")
	apptest.MustContain(t, got, "Saved.", "Clients: shared: every rep sees all the team's clients")
	// Case, width, spacing and punctuation do not make a new client; a
	// teammate's visit finds the same client.
	for _, who := range []string{"acme corp", "Ａｃｍｅ　Ｃｏｒｐ", "Acme-Corp"} {
		h.Clock.Advance(time.Hour) // the same visit within the hour is asked about
		got := h.Send(wei, "/visit "+who+"; warm")
		apptest.MustContain(t, got, "“"+who+"” → 客户 ACME Corp.(产品演示/试用)")
	}
	if n := len(visitsOf(t, h, acme)); n != 4 {
		t.Fatalf("visits to Acme %d, want 4", n)
	}

	// A close name is asked about, with buttons; the rest of the entry waits.
	got = h.Send(ann, "/visit Acme Ltd; proposal; next: call Li")
	apptest.MustContain(t, got, "Is “Acme Ltd” one of these clients, or a new one?")
	if b := got[0].Buttons; len(b) < 3 || b[0][0].Text != "ACME Corp. (demo / trial)" || b[1][0].Text != "➕ New client “Acme Ltd”" {
		t.Fatalf("choices %+v", b)
	}
	got = h.Tap(ann, got, "ACME Corp.")
	apptest.MustContain(t, got, "✅ Visit saved — ACME Corp.", "• “proposal” → stage: proposal / quote", "• “next: call Li” → next step: call Li",
		"Stage: demo / trial → proposal / quote")
	if c := clientNamed(t, h, "North", "Acme Corp"); c.Stage != models.StageProposal {
		t.Fatalf("stage %s", c.Stage)
	}
	// ...or it is a new client after all.
	got = h.Send(ann, "/visit acme ltd; warm")
	got = h.Tap(ann, got, "New client")
	apptest.MustContain(t, got, "• “acme ltd” → new client acme ltd", "acme ltd is a new client. Which grade is it?")
	clientNamed(t, h, "North", "Acme Ltd")

	// Chinese names: the short name of a registered company is asked about.
	h.Send(ann, "/visit 华为技术有限公司; 报价")
	got = h.Send(ann, "/visit 华为; 热心")
	apptest.MustContain(t, got, "Is “华为” one of these clients")
	apptest.Button(t, got, "华为技术有限公司 (proposal / quote)")
	// The same name in another team is another team's client: not offered.
	got = h.Send(sam, "/visit Acme Corp; demo")
	apptest.MustContain(t, got, "new client Acme Corp")
	mustNotContain(t, got, "ACME Corp.")
}

func TestThreeVisitsWithoutProgressFlagTheClient(t *testing.T) {
	h := salesTeam(t)
	got := h.Send(ann, "/visit Acme; demo")
	mustNotContain(t, got, "new plan")
	got = h.Send(ann, "/visit Acme; warm")
	mustNotContain(t, got, "new plan")
	h.Clock.Advance(time.Hour)             // the same visit within the hour is asked about
	got = h.Send(ann, "/visit Acme; demo") // the same stage is no progress
	apptest.MustContain(t, got, "Stage: demo / trial (unchanged)")
	mustNotContain(t, got, "new plan")
	got = h.Send(ann, "/visit Acme; needs analysis") // nor is a step back
	apptest.MustContain(t, got, "Stage stays demo / trial: a visit only moves a client forward", "/client Acme",
		"⚠️ 3 visits to Acme without stage progress: it needs a new plan.")
	apptest.MustContain(t, h.Send(ann, "/client Acme"), "⚠️ Needs a new plan: 3 visits without stage progress.", "Last visits (3 of 4):")
	apptest.MustContain(t, h.Send(ann, "/clients"), "1. Acme — demo / trial · last visit Mon 23 Nov ⚠️")
	// Progress clears the flag.
	got = h.Send(ann, "/visit Acme; quote")
	apptest.MustContain(t, got, "Stage: demo / trial → proposal / quote")
	mustNotContain(t, got, "new plan")
	mustNotContain(t, h.Send(ann, "/client Acme"), "Needs a new plan")
}

func TestClientVisibility(t *testing.T) {
	h := salesTeam(t)
	h.Send(ann, "/visit Acme; demo; met Li (buyer)")
	acme := clientNamed(t, h, "North", "Acme")

	// A rep of another team cannot see it, by name, id or history.
	apptest.MustContain(t, h.Send(sam, "/client Acme"), "I have no client “Acme” that you can see")
	apptest.MustContain(t, h.Send(sam, "/history Acme"), "I have no client “Acme” that you can see")
	apptest.MustContain(t, h.Send(sam, "/objections Acme"), "I have no client “Acme” that you can see")
	card := h.Send(ann, "/client Acme")
	id, _ := apptest.Button(t, card, "History")
	for _, data := range []string{fmt.Sprintf("c:v:%d", acme.ID), fmt.Sprintf("hn:%d", acme.ID), fmt.Sprintf("c:G:%d:A", acme.ID), fmt.Sprintf("c:S:%d:lost", acme.ID)} {
		got := h.Press(sam, id, data)
		if apptest.Joined(got) != "This button no longer works." {
			t.Fatalf("%s pressed by another team's rep: %q", data, apptest.Joined(got))
		}
	}
	if c := clientNamed(t, h, "North", "Acme"); c.Grade != models.GradeNone || c.Stage != models.StageDemo {
		t.Fatalf("a foreign button changed the client: %+v", c)
	}
	// A teammate who does not own, work or share the client is told whose
	// it is, by /client and by a visit (which saves nothing), and may ask
	// the team's manager to share it.
	mia := tgfake.User{ID: 310, FirstName: "Mia", LanguageCode: "en"}
	h.Member(mia, "North", "manager")
	refusal := h.Send(bob, "/client Acme")
	apptest.MustContain(t, refusal, "Acme is a client of Ann, and not shared with you.")
	apptest.MustContain(t, h.Send(bob, "/visit acme; phone"), "Acme is a client of Ann, and not shared with you.")
	apptest.MustContain(t, h.Send(bob, "/history Acme"), "Acme is a client of Ann")
	if n := len(visitsOf(t, h, acme)); n != 1 {
		t.Fatalf("the refused visit was saved: %d visits", n)
	}
	before := len(h.Fake.SentTo(mia.ID))
	apptest.MustContain(t, h.Tap(bob, refusal, "Ask a manager"), "Asked 1 manager to share Acme with you")
	h.Flush()
	toMia := h.Fake.SentTo(mia.ID)[before:]
	apptest.MustContain(t, toMia, "Bob asks to see the client Acme (owned by Ann)")
	// A forged Share press by the rep himself, or for another team's rep, does nothing.
	_, share := apptest.Button(t, toMia, "Share with Bob")
	apptest.MustContain(t, h.Press(bob, toMia[0].MessageID, share), "This button no longer works.")
	apptest.MustContain(t, h.Send(bob, "/client Acme"), "Acme is a client of Ann")
	beforeBob := len(h.Fake.SentTo(bob.ID))
	apptest.MustContain(t, h.Tap(mia, toMia, "Share with Bob"), "Acme is now shared with Bob.")
	h.Flush()
	apptest.MustContain(t, h.Fake.SentTo(bob.ID)[beforeBob:], "Mia shared the client Acme with you: /client Acme")
	apptest.MustContain(t, h.Tap(mia, toMia, "Share with Bob"), "Acme is shared with Bob already.")
	apptest.MustContain(t, h.Send(bob, "/visit acme; phone"), "client Acme (demo / trial)")
	got := h.Send(bob, "/client Acme")
	apptest.MustContain(t, got, "🏢 Acme — no grade", "Owner: Ann", "Last visits (1 of 1):", "phone")
	for _, row := range got[0].Buttons { // only the owner and managers edit the card
		for _, b := range row {
			if b.Text == "Grade" || b.Text == "Stage" || b.Text == "✏️ Edit" {
				t.Fatalf("a teammate's card offers %q", b.Text)
			}
		}
	}
	if _, data := apptest.Button(t, got, "Contact"); !strings.HasPrefix(data, "c:c:") {
		t.Fatalf("contact button %q", data)
	}
	// The team's manager sees the card and the team's visits, and edits it.
	got = h.Send(mia, "/client acme")
	apptest.MustContain(t, got, "Last visits (2 of 2):", "Ann", "Bob")
	got = h.Tap(mia, got, "Grade")
	apptest.MustContain(t, h.Tap(mia, got, "A — key client"), "Grade of Acme: A — key client.")
	apptest.MustContain(t, h.Send(mia, "/clients A"), "Your team's clients of grade A: 1", "1. Acme — A · demo / trial")
	apptest.MustContain(t, h.Send(sam, "/clients"), "You have no clients yet.")
	// The admin (a manager everywhere) sees the team's visits.
	apptest.MustContain(t, h.Send(apptest.Admin, "/client Acme"), "Last visits (2 of 2):", "Ann", "Bob")
	apptest.MustContain(t, h.Send(apptest.Admin, "/clients"), "Your team's clients: 1", "1. Acme — A · demo / trial · last visit Mon 23 Nov · Ann")
}

func TestClientCardButtonsAndAdd(t *testing.T) {
	h := salesTeam(t)
	got := h.Send(ann, "/client add")
	apptest.MustContain(t, got, "The client's name?")
	got = h.Send(ann, "Globex")
	apptest.MustContain(t, got, "Its grade?")
	got = h.Tap(ann, got, "A — key client")
	apptest.MustContain(t, got, "Industry?")
	got = h.Send(ann, "Logistics")
	for i := 0; i < 4; i++ { // address, size, source, notes
		got = h.Tap(ann, got, "Skip")
	}
	apptest.MustContain(t, got, "✅ Client Globex added.", "🏢 Globex — A — key client", "Industry: Logistics", "No visits yet.")
	apptest.MustContain(t, h.Send(ann, "/client add globex"), "There is already a client “Globex” in your team. Open it with /client Globex")
	got = h.Send(ann, "/client add Globex Ltd")
	apptest.MustContain(t, got, "“Globex Ltd” is close to clients you have.")
	apptest.MustContain(t, h.Tap(ann, got, "Globex (A)"), "🏢 Globex — A — key client")

	// Stage set on the card: back, and reopening a lost client.
	h.Send(ann, "/visit Globex; proposal")
	card := h.Send(ann, "/client Globex")
	got = h.Tap(ann, card, "Stage")
	apptest.MustContain(t, got, "Globex is at proposal / quote.")
	got = h.Tap(ann, got, "needs analysis")
	apptest.MustContain(t, got, "Stage of Globex: proposal / quote → needs analysis.")
	// Add a contact with roles by buttons.
	got = h.Tap(ann, card, "Contact")
	got = h.Send(ann, "Zhou")
	apptest.MustContain(t, got, "Their role(s) in the decision group?")
	got = h.Tap(ann, got, "buyer")
	got = h.Tap(ann, got, "influencer")
	got = h.Tap(ann, got, "✓ Done")
	got = h.Send(ann, "Head of purchasing")
	got = h.Tap(ann, got, "Skip")
	apptest.MustContain(t, got, "✅ Contact Zhou (buyer, influencer) added to Globex.", "• Zhou (buyer, influencer) · Head of purchasing")
	// Edit a field.
	got = h.Tap(ann, got, "✏️ Edit")
	got = h.Tap(ann, got, "Address")
	apptest.MustContain(t, got, "Changing Address of Globex", "Address?")
	got = h.Send(ann, "1 Harbour Rd")
	apptest.MustContain(t, got, "✏️ Globex updated.", "Address: 1 Harbour Rd")
	// The history shows the visit and the stage set on the card.
	got = h.Send(ann, "/history globex")
	apptest.MustContain(t, got, "📜 Globex — history, 2 entries (page 1 of 1):",
		"🔀 Mon 23 Nov 2026 09:00 · Ann set the stage on the card: proposal / quote → needs analysis",
		"🤝 Mon 23 Nov 2026 09:00 · Ann · proposal / quote")
}

func TestClientsAndHistoryArePaged(t *testing.T) {
	h := salesTeam(t)
	for i := 1; i <= 12; i++ {
		h.Send(ann, fmt.Sprintf("/visit Client %02d; phone", i))
		h.Clock.Advance(0)
	}
	got := h.Send(ann, "/clients")
	apptest.MustContain(t, got, "Your clients: 12 (page 1 of 2)", "1. Client 01", "10. Client 10")
	mustNotContain(t, got, "Client 11")
	got = h.Tap(ann, got, "Next »")
	if len(got) != 1 || got[0].Method != "editMessageText" {
		t.Fatalf("paging edits the list: %+v", got)
	}
	apptest.MustContain(t, got, "page 2 of 2", "11. Client 11", "12. Client 12")
	got = h.Tap(ann, got, "12")
	apptest.MustContain(t, got, "🏢 Client 12")
	apptest.MustContain(t, h.Send(ann, "/clients E"), "“E” is not a grade. Grades are A, B, C and D, e.g. /clients A")
	apptest.MustContain(t, h.Send(ann, "/clients A"), "No clients of grade A.")

	for i := 0; i < 11; i++ {
		h.Clock.Advance(time.Hour) // the same visit within the hour is asked about
		h.Send(ann, "/visit Client 01; warm")
	}
	got = h.Send(ann, "/history Client 01")
	apptest.MustContain(t, got, "history, 12 entries (page 1 of 2)")
	got = h.Tap(ann, got, "Next »")
	apptest.MustContain(t, got, "page 2 of 2", "phone")
}
