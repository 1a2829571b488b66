package bot_test

import (
	"strings"
	"testing"
	"time"

	"salesbot/internal/apptest"
	"salesbot/internal/storage"
	"salesbot/internal/tgfake"
	"salesbot/models"
)

// Visits logged in the evening for earlier in the day, or for yesterday
// (issue 11, item 7): the quick command's time part and the form's when
// step, never a time ahead; the revisit and the digest use the visit's time.
func TestVisitLoggedForEarlier(t *testing.T) {
	h := salesTeam(t)
	h.Clock.Set(time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC)) // Monday evening
	got := h.Send(ann, "/visit Acme; today 10:30; demo")
	apptest.MustContain(t, got,
		"✅ Visit saved — Acme, Mon 23 Nov 2026 10:30",
		"• “today 10:30” → when: Mon 23 Nov 2026 10:30",
		"Follow-up: Mon 30 Nov 2026 10:30 (the 7-day rule)")
	acme := clientNamed(t, h, "North", "Acme")
	if vs := visitsOf(t, h, acme); len(vs) != 1 || !vs[0].At.Equal(time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)) {
		t.Fatalf("stored %+v", vs)
	}

	// A visit logged for before it does not close its revisit, and brings
	// none of its own: the later visit was its revisit (one a week after
	// the earlier one would only double the later one's, or be overdue at
	// once).
	apptest.MustContain(t, h.Send(ann, "/visit Acme; yesterday 9:00; phone"), "Visit saved — Acme, Sun 22 Nov 2026 09:00",
		"Follow-up: none — your visit on Mon 23 Nov 2026 10:30 came after this one and was its revisit.")
	got = h.Send(ann, "/followups")
	apptest.MustContain(t, got, "Your open follow-ups (1)", "Mon 30 Nov 2026 10:30 · Revisit Acme")
	mustNotContain(t, got, "Mon 30 Nov 2026 09:00")

	// A time still ahead is refused with the reason, and asked again;
	// nothing is stored until it is answered.
	got = h.Send(ann, "/visit Globex; today 20:00; demo")
	apptest.MustContain(t, got, "Mon 23 Nov 2026 20:00 is still ahead, so the visit cannot have taken place then.",
		"revisit friday 10:00", "When was the visit?")
	if _, err := h.App.DB.ClientByName(t.Context(), storage.System, acme.TeamID, "Globex"); models.ErrorCode(err) != models.ENOTFOUND {
		t.Fatalf("Globex stored before the time was settled: %v", err)
	}
	apptest.MustContain(t, h.Send(ann, "tomorrow 9:00"), "Tue 24 Nov 2026 09:00 is still ahead", "When was the visit?")
	got = h.Send(ann, "yesterday 15:00")
	apptest.MustContain(t, got, "✅ Visit saved — Globex, Sun 22 Nov 2026 15:00")

	// The form's when step, the last question (a visit saved on the way
	// is now): typed, never ahead.
	got = h.Send(ann, "/visit")
	got = h.Send(ann, "Initech")
	for !strings.Contains(apptest.Joined(got), "When should you call or visit again?") {
		got = h.Tap(ann, got, "Skip")
	}
	got = h.Tap(ann, got, "In 1 week (default)")
	apptest.MustContain(t, got, "When was the visit? Tap Now, or type the time")
	apptest.MustContain(t, h.Send(ann, "soon-ish"), "I cannot read “soon-ish” as the time of the visit.", "When was the visit?")
	apptest.MustContain(t, h.Send(ann, "tomorrow 9:00"), "Tue 24 Nov 2026 09:00 is still ahead", "When was the visit?")
	got = h.Send(ann, "14:00") // a time alone: the last 14:00, today's
	apptest.MustContain(t, got, "✅ Visit saved — Initech, Mon 23 Nov 2026 14:00", "Follow-up: Mon 30 Nov 2026 14:00")

	// Edit → When moves the visit and its revisit.
	got = h.Tap(ann, got, "Edit")
	got = h.Tap(ann, got, "When")
	apptest.MustContain(t, got, "When was the visit?")
	got = h.Send(ann, "today 11:00")
	apptest.MustContain(t, got, "✏️ Visit updated — Initech, Mon 23 Nov 2026 11:00", "Follow-up: Mon 30 Nov 2026 11:00")

	// /undo finds a visit by when it was logged: yesterday's, logged now.
	apptest.MustContain(t, h.Send(ann, "/undo"), "Initech")
}

func TestVisitLoggedForYesterdayChinese(t *testing.T) {
	h := salesTeam(t)
	apptest.MustContain(t, h.Send(wei, "/tz Asia/Shanghai"), "Asia/Shanghai")
	h.Clock.Set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)) // 20:00 in Shanghai
	got := h.Send(wei, "/visit 华为; 昨天下午3点; 报价")
	apptest.MustContain(t, got,
		"✅ 拜访已记录 —— 华为,2026年11月22日 周日 15:00",
		"• “昨天下午3点” → 拜访时间:2026年11月22日 周日 15:00")
	apptest.MustContain(t, h.Send(wei, "/visit 小米; 今天晚上9点"), "还没到,拜访不可能在那时发生", "什么时候拜访的?")
	got = h.Tap(wei, h.Fake.SentTo(wei.ID), "🕘 现在")
	apptest.MustContain(t, got, "✅ 拜访已记录 —— 小米,2026年11月23日 周一 20:00")
}

// A visit logged on Tuesday morning for Monday afternoon counts for Monday
// in the digest, not for Tuesday.
func TestDigestCountsVisitOnItsDay(t *testing.T) {
	h := apptest.New(t)
	mia := tgfake.User{ID: 311, FirstName: "Mia", LanguageCode: "en"}
	h.Member(bob, "North", "rep")
	h.Member(mia, "North", "manager")
	h.Clock.Set(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC))
	apptest.MustContain(t, h.Send(bob, "/visit Acme; yesterday 16:00; demo"), "Visit saved — Acme, Mon 23 Nov 2026 16:00")
	got := apptest.Joined(h.Send(mia, "/digest 2026-11-23"))
	if !strings.Contains(got, "Visits: 1 ·") || !strings.Contains(got, "16:00 Acme") {
		t.Fatalf("Monday's digest lacks the visit:\n%s", got)
	}
	if got := apptest.Joined(h.Send(mia, "/digest 2026-11-24")); strings.Contains(got, "Visits: 1 ·") || strings.Contains(got, "Acme") {
		t.Fatalf("Tuesday's digest counts Monday's visit:\n%s", got)
	}
}

// A time typed after the client's name without its ";" is when the visit
// took place, not part of a new client's name (en and zh).
func TestVisitTimeAfterTheNameWithoutSeparator(t *testing.T) {
	h := salesTeam(t)
	h.Clock.Set(time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC)) // Monday evening
	h.Send(ann, "/visit Acme; phone")
	got := h.Send(ann, "/visit Acme yesterday 15:00; demo")
	apptest.MustContain(t, got, "✅ Visit saved — Acme, Sun 22 Nov 2026 15:00",
		"• “Acme” → client Acme", "• “yesterday 15:00” → when: Sun 22 Nov 2026 15:00", "• “demo” → stage: demo / trial")
	mustNotContain(t, got, "new client")
	h.Send(wei, "/visit 小米; 电话")
	got = h.Send(wei, "/visit 小米昨天下午3点; 报价")
	apptest.MustContain(t, got, "2026年11月22日 周日 15:00", "“小米” → 客户", "“昨天下午3点” →")
	mustNotContain(t, got, "新客户")
	for name, n := range map[string]int{"Acme": 2, "小米": 2} {
		if vs := visitsOf(t, h, clientNamed(t, h, "North", name)); len(vs) != n {
			t.Errorf("%s: %d visits, want %d", name, len(vs), n)
		}
	}
	// A name that only ends in a day word stays the name.
	apptest.MustContain(t, h.Send(ann, "/visit Ruby Tuesday; demo"), "• “Ruby Tuesday” → new client Ruby Tuesday")
}
