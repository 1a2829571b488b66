package models

import (
	"testing"
	"time"
)

func TestRoleOrder(t *testing.T) {
	if !RoleAdmin.AtLeast(RoleManager) || !RoleManager.AtLeast(RoleRep) || RoleRep.AtLeast(RoleManager) {
		t.Fatal("role order broken: want admin > manager > rep")
	}
	if RoleNone.AtLeast(RoleRep) {
		t.Fatal("no role must not count as rep")
	}
}

func TestUserRoles(t *testing.T) {
	u := &User{Active: true, Memberships: []Membership{{TeamID: 1, Role: RoleRep, Active: true}, {TeamID: 2, Role: RoleManager, Active: true}}}
	if got := u.Role(); got != RoleManager {
		t.Fatalf("Role() = %q, want manager", got)
	}
	if u.CanManage(1) || !u.CanManage(2) || u.CanManage(3) {
		t.Fatal("CanManage: want only team 2")
	}
	u.Active = false
	if u.Role() != RoleNone || u.CanManage(2) {
		t.Fatal("a deactivated user has no role")
	}
	admin := &User{Active: true, IsAdmin: true}
	if !admin.CanManage(42) {
		t.Fatal("admins manage every team")
	}
}

func TestInviteCheck(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	inv := &Invite{ExpiresAt: now.Add(time.Hour)}
	if err := inv.Check(now); err != nil {
		t.Fatalf("fresh invite refused: %v", err)
	}
	if code := ErrorCode(inv.Check(now.Add(time.Hour))); code != EEXPIRED {
		t.Fatalf("at expiry: code %q, want expired", code)
	}
	inv.UsedBy = 7
	if code := ErrorCode(inv.Check(now)); code != ECONFLICT {
		t.Fatalf("used: code %q, want conflict", code)
	}
}

func TestInviteCode(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		c := NewInviteCode()
		if len(c) != InviteCodeLen {
			t.Fatalf("code %q has length %d", c, len(c))
		}
		if seen[c] {
			t.Fatalf("duplicate code %q in 1000", c)
		}
		seen[c] = true
		if NormalizeInviteCode(" "+toLower(c)+" ") != c {
			t.Fatalf("normalize does not round-trip %q", c)
		}
	}
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}
