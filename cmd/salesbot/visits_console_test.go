package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// A scripted console session logs a visit by the quick command and one
// through the form, pressing buttons by their numbers, and /client shows
// both.
func TestConsoleLogsVisits(t *testing.T) {
	t.Setenv("SALESBOT_DB", "")
	db := filepath.Join(t.TempDir(), "console.db")
	out := runConsole(t, db, "Ann",
		"/visit Acme; met Li (buyer); demo; warm; next: send quote",
		"2", // grade B for the new client
		"/visit",
		"Globex",       // a new client, typed
		"1",            // in person
		"Zhou (buyer)", // a new contact with role
		"2",            // ✓ Done
		"2",            // needs analysis
		"1",            // warm
		"send samples", // next step
		"pricing",      // talking points
		"2",            // Skip the client's view
		"2",            // next visit in 2 days
		"1",            // when: now
		"5",            // grade: later
		"/client Acme",
		"/client Globex",
	)
	mustHave(t, out,
		"bot> ✅ Visit saved — Acme,",
		"• “met Li (buyer)” → met Li (buyer)",
		"[1] A — key client  [2] B — possible client",
		"bot (edited)> Grade of Acme: B — possible client.",
		"bot> Which client did you visit? Tap a recent one or type the name.",
		"[1] Acme",
		"bot> ✅ Visit saved — Globex,",
		"Met: Zhou (buyer)",
		"Stage: needs analysis",
		"bot (edited)> OK — set the grade of Globex on its card",
	)
	acme := out[strings.Index(out, "you> /client Acme"):strings.Index(out, "you> /client Globex")]
	mustHave(t, acme, "🏢 Acme — B — possible client", "• Li (buyer)", "demo / trial · warm — next: send quote")
	globex := out[strings.Index(out, "you> /client Globex"):]
	mustHave(t, globex, "🏢 Globex — no grade", "• Zhou (buyer)", "in person · needs analysis · warm — next: send samples")
}
