package models

import (
	"slices"
	"time"
)

// DuplicateWindow is how close in time two visits to a client by the same
// rep must be for the second, with the same parts, to be asked about ("log
// it again?") before it is stored: a message sent twice, or a form
// finished after the quick command had logged the visit.
const DuplicateWindow = time.Hour

// SameParts reports whether two visits say the same: every field of
// VisitFields a rep gives (derived ones aside), the next visit, and the
// contacts met (by name, in any order). met names the contacts of each.
func SameParts(a, b *Visit, aMet, bMet []string) bool {
	for i := range VisitFields {
		f := &VisitFields[i]
		if f.Get != nil && f.Set != nil && f.Get(a) != f.Get(b) {
			return false
		}
	}
	if a.NoFollowUp != b.NoFollowUp || (a.NextVisitAt == nil) != (b.NextVisitAt == nil) ||
		a.NextVisitAt != nil && !a.NextVisitAt.Equal(*b.NextVisitAt) {
		return false
	}
	return slices.Equal(foldedSet(aMet), foldedSet(bMet))
}

// NearInTime reports whether two visit times are within DuplicateWindow.
func NearInTime(a, b time.Time) bool {
	d := a.Sub(b)
	return d < DuplicateWindow && d > -DuplicateWindow
}

// MayDouble reports whether a visit at at may double one of a client
// whose newest visit is at last (zero: none): only a visit within
// DuplicateWindow of it can, and there is none unless the newest visit
// is later than at-DuplicateWindow.
func MayDouble(last, at time.Time) bool {
	return !last.IsZero() && last.Sub(at) > -DuplicateWindow
}

func foldedSet(names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, Fold(n))
	}
	slices.Sort(out)
	return slices.Compact(out)
}
