package models

import (
	"reflect"
	"testing"
)

func TestClientHoldingsKeeps(t *testing.T) {
	if k := (ClientHoldings{}).Keeps(); len(k) != 0 {
		t.Fatalf("an empty card is kept by %v", k)
	}
	h := ClientHoldings{HoldsChanges: 1, HoldsDeals: 2, HoldsContacts: 0, HoldsDetails: 1}
	want := []Holding{{HoldsDetails, 1}, {HoldsDeals, 2}, {HoldsChanges, 1}}
	if got := h.Keeps(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Keeps() = %v, want %v", got, want)
	}
	if (&Client{Name: "Acme", Stage: StageDemo}).HasDetails() {
		t.Fatal("a stage set by a visit counts as a detail")
	}
	if !(&Client{Name: "Acme", Address: "1 Road"}).HasDetails() {
		t.Fatal("an address is not a detail")
	}
}
