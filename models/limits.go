package models

// Bounds on what one message may make the bot do. Each is far above what
// a rep types in a day and keeps one message from costing everyone else's
// answers; going over is refused with a message saying the limit, and
// nothing of that message is stored.
const (
	// MaxPlanItems is the most planned visits one /plan message adds.
	MaxPlanItems = 50
	// MaxNewClientsPerMessage is the most client cards one message may
	// open (a /plan naming new prospects).
	MaxNewClientsPerMessage = 20
	// MaxVisitContacts is the most contacts one visit may list as met.
	MaxVisitContacts = 20
	// MaxOpenReminders is the most open /remind reminders one person may
	// keep; /followups lists them all.
	MaxOpenReminders = 100
)

// CheckCount refuses n things of a kind when more than max: key names the
// catalogue message, which gets N and Max.
func CheckCount(key string, n, max int) error {
	if n > max {
		return Errorf(EINVALID, key, map[string]any{"N": n, "Max": max})
	}
	return nil
}
