package models

import (
	"crypto/rand"
	"strings"
	"time"
)

// Invite is a one-time code that lets one person join a team with a role.
type Invite struct {
	ID        int64
	Code      string
	TeamID    int64
	TeamName  string
	Role      Role
	CreatedBy int64
	ExpiresAt time.Time
	UsedBy    int64
	UsedAt    time.Time
	CreatedAt time.Time
}

// DefaultInviteTTL is how long an invite stays valid.
const DefaultInviteTTL = 7 * 24 * time.Hour

// inviteAlphabet avoids letters people confuse when reading a code aloud
// (0/O, 1/I/L) and stays within Telegram's deep-link alphabet.
const inviteAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// InviteCodeLen gives 31^10 ≈ 8e14 codes: unguessable for a 7-day code.
const InviteCodeLen = 10

// NewInviteCode returns a random invite code.
func NewInviteCode() string {
	b := make([]byte, InviteCodeLen)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	for i := range b {
		b[i] = inviteAlphabet[int(b[i])%len(inviteAlphabet)]
	}
	return string(b)
}

// ValidInviteCode reports whether s could be a code NewInviteCode made.
func ValidInviteCode(s string) bool {
	if len(s) != InviteCodeLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(inviteAlphabet, rune(s[i])) {
			return false
		}
	}
	return true
}

// NormalizeInviteCode accepts the code as people type or paste it.
func NormalizeInviteCode(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// Check says whether the invite can be used at now.
func (inv *Invite) Check(now time.Time) error {
	if inv.UsedBy != 0 {
		return Errorf(ECONFLICT, "err_invite_used", nil)
	}
	if !now.Before(inv.ExpiresAt) {
		return Errorf(EEXPIRED, "err_invite_expired", map[string]any{"ExpiredAt": inv.ExpiresAt})
	}
	return nil
}
