package bot_test

import (
	"strings"
	"testing"
	"time"

	"salesbot/internal/apptest"
	"salesbot/internal/storage"
	"salesbot/models"
)

// A clock time that does not exist ("26:00", "明天88点", "today 25:61") is
// refused with an example, the way /remind refuses it: never a visit saved
// now with the time kept as a note, nor one moved to the morning (issue 11,
// item 12). The quick /visit, the form's when and next-visit steps and
// /plan answer alike; nothing is stored.
func TestImpossibleTimeRefused(t *testing.T) { testImpossibleTimeRefused(t, salesTeam(t)) }

func testImpossibleTimeRefused(t *testing.T, h *apptest.Harness) {
	h.Clock.Set(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	apptest.MustContain(t, h.Send(ann, "/visit Acme; demo"), "Visit saved — Acme")
	acme := clientNamed(t, h, "North", "Acme")
	h.Clock.Set(time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC))

	for in, bad := range map[string]string{
		"/visit Acme; tomorrow 26:00":          "26:00",
		"/visit Acme; today 25:61; demo":       "25:61",
		"/visit Acme; when: 26:00":             "26:00",
		"/visit Acme; revisit tomorrow 26:00":  "26:00",
		"/visit Acme tomorrow 26:00 demo":      "26:00", // without separators, a known client
		"/visit Initech 25:00 demo":            "25:00", // without separators, an unknown one
		"/visit Globex; yesterday 13pm; phone": "13pm",
	} {
		got := h.Send(ann, in)
		apptest.MustContain(t, got, "“"+bad+"” is not a time of day", "Nothing was saved.", "For example: /visit Acme; today 10:30; demo")
		if j := apptest.Joined(got); strings.Contains(j, "saved —") || strings.Contains(j, "kept as a note") {
			t.Fatalf("%s: %s", in, j)
		}
	}
	if vs := visitsOf(t, h, acme); len(vs) != 1 {
		t.Fatalf("Acme has %d visits, want the first only", len(vs))
	}
	if _, err := h.App.DB.ClientByName(t.Context(), storage.System, acme.TeamID, "Globex"); models.ErrorCode(err) != models.ENOTFOUND {
		t.Fatalf("Globex stored: %v", err)
	}

	// The form's when step and its next-visit date are asked again.
	got := h.Send(ann, "/visit")
	got = h.Send(ann, "Acme")
	for !strings.Contains(apptest.Joined(got), "When should you call or visit again?") {
		got = h.Tap(ann, got, "Skip")
	}
	got = h.Tap(ann, got, "Pick a date")
	apptest.MustContain(t, h.Send(ann, "friday 26:00"), "“26:00” is not a time of day", "For example: friday 10:00")
	got = h.Send(ann, "friday 10:00")
	apptest.MustContain(t, got, "When was the visit?")
	apptest.MustContain(t, h.Send(ann, "today 25:61"), "“25:61” is not a time of day", "For example: today 10:30", "When was the visit?")
	got = h.Send(ann, "today 10:30")
	apptest.MustContain(t, got, "✅ Visit saved — Acme, Mon 23 Nov 2026 10:30", "Follow-up: Fri 27 Nov 2026 10:00")

	// /plan: not a client "26:00", not a purpose keeping it.
	apptest.MustContain(t, h.Send(ann, "/plan next mon Acme 26:00 demo; tue 25:61 Acme"),
		"Plan item 1, “mon Acme 26:00 demo”: “26:00” is not a time of day", "Nothing was saved.", "Example: /plan next mon Acme demo")
	apptest.MustContain(t, h.Send(ann, "/plan"), "Nothing planned.")
	if strings.Contains(apptest.Joined(h.Send(ann, "/plan")), "26:00") {
		t.Fatal("a plan item kept 26:00")
	}
}

func TestImpossibleTimeRefusedChinese(t *testing.T) {
	testImpossibleTimeRefusedChinese(t, salesTeam(t))
}

func testImpossibleTimeRefusedChinese(t *testing.T, h *apptest.Harness) {
	apptest.MustContain(t, h.Send(wei, "/tz Asia/Shanghai"), "Asia/Shanghai")
	h.Clock.Set(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)) // 20:00 in Shanghai
	for in, bad := range map[string]string{
		"/visit 华为; 明天88点":       "88点",
		"/visit 华为; 今天25:61; 报价": "25:61",
		"/visit 华为; 明天88点复访":     "88点",
		"/visit 华为; 时间: 26:00":   "26:00",
	} {
		got := h.Send(wei, in)
		apptest.MustContain(t, got, "“"+bad+"”不是一个时间", "这条拜访没有保存", "例如:/visit 华为; 昨天下午3点; 报价")
	}
	if _, err := h.App.DB.ClientByName(t.Context(), storage.System, clientTeam(t, h), "华为"); models.ErrorCode(err) != models.ENOTFOUND {
		t.Fatalf("华为 stored: %v", err)
	}
	got := h.Send(wei, "/visit 华为; 今天晚上9点")
	apptest.MustContain(t, got, "什么时候拜访的?")
	apptest.MustContain(t, h.Send(wei, "明天88点"), "“88点”不是一个时间", "例如:今天10:30 或 昨天下午3点", "什么时候拜访的?")
	apptest.MustContain(t, h.Send(wei, "昨天下午3点"), "✅ 拜访已记录 —— 华为,2026年11月22日 周日 15:00")
	apptest.MustContain(t, h.Send(wei, "/plan next 周一 华为 明天88点"), "第 1 项“周一 华为 明天88点”:“88点”不是一个时间", "没有保存任何内容")
}
