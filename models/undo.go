package models

import "time"

// Undo takes back exactly what an entry (a visit or an objection) added,
// and says so before and after. The rules:
//
//   - The entry itself is marked deleted (kept for the record).
//   - A client card the entry created goes with it only while the card
//     holds nothing else: no grade or other details, no contacts besides
//     those met at the entry, no other visits or objections, no plans,
//     deals or reminders, no stage or owner change made on the card.
//     Otherwise the card stays, and the undo says what keeps it.
//   - What the entry changed goes back: the client's stage (when the
//     visit's change is still the latest), and the revisits the visit had
//     closed open again. The visit's own revisit is cancelled. A deal the
//     visit was for comes off it, and the deal's stage goes back (when the
//     visit's change is still the deal's latest and the deal is open).

// Holding is one kind of thing a client card holds besides the entry being
// undone, and how many.
type Holding struct {
	Kind HoldingKind
	N    int
}

// HoldingKind names what a card holds.
type HoldingKind string

// Kinds of holdings, in the order an undo names them.
const (
	HoldsDetails    HoldingKind = "details" // grade, industry, address, size, source, notes
	HoldsContacts   HoldingKind = "contacts"
	HoldsVisits     HoldingKind = "visits"
	HoldsObjections HoldingKind = "objections"
	HoldsPlans      HoldingKind = "plans"
	HoldsDeals      HoldingKind = "deals"
	HoldsReminders  HoldingKind = "reminders"
	HoldsChanges    HoldingKind = "changes" // stage or owner set on the card
)

// HoldingKinds lists the kinds in the order an undo names them.
var HoldingKinds = []HoldingKind{HoldsDetails, HoldsContacts, HoldsVisits, HoldsObjections, HoldsPlans, HoldsDeals, HoldsReminders, HoldsChanges}

// ClientHoldings counts what a client card holds besides the entry being
// undone (storage counts it; the rule of what keeps a card is here).
type ClientHoldings map[HoldingKind]int

// Keeps lists what keeps the card, in HoldingKinds order; empty when the
// card goes with the entry that created it.
func (h ClientHoldings) Keeps() []Holding {
	var out []Holding
	for _, k := range HoldingKinds {
		if n := h[k]; n > 0 {
			out = append(out, Holding{k, n})
		}
	}
	return out
}

// HasDetails reports whether a card has any detail filled in besides its
// name, owner and stage (a visit sets the stage; the rest is typed later).
func (c *Client) HasDetails() bool {
	return c.Grade != GradeNone || c.Industry != "" || c.Address != "" || c.Size != "" || c.Source != "" || c.Notes != ""
}

// UndoEffect is what undoing an entry does: asked about before, reported
// after. The same value is computed for both, in the transaction that
// undoes, so the question names what the undo then does.
type UndoEffect struct {
	// Client is the entry's client card, as it is before the undo.
	Client *Client
	// ClientGoes: the entry created the card and the card goes with it.
	ClientGoes bool
	// Keeps is what keeps a card the entry created (empty otherwise).
	Keeps []Holding
	// StageBack: the client's stage goes back From → To.
	StageBack bool
	StageFrom Stage
	StageTo   Stage
	// Cancels is the due time of the entry's own open revisit, cancelled.
	Cancels *time.Time
	// Reopens are the due times of the revisits the visit had closed, open
	// again.
	Reopens []time.Time
	// Unlinked counts the objections logged with the visit; they stay,
	// without the link.
	Unlinked int
	// DealTitle names the deal the visit was for ("" for none): the visit
	// comes off it. DealBack: the deal's stage goes back DealFrom → DealTo.
	DealTitle string
	DealBack  bool
	DealFrom  Stage
	DealTo    Stage
}
