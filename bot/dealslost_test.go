package bot_test

import (
	"strings"
	"testing"
	"time"

	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
)

var (
	dlRep   = tgfake.User{ID: 3401, FirstName: "Lena", LanguageCode: "en"}
	dlRepZh = tgfake.User{ID: 3402, FirstName: "张伟", LanguageCode: "zh"}
)

// "/deal lost CLIENT competitor" typed without the competitor's name
// files the loss and asks which competitor, as the reason button does:
// the deal's competitors as buttons, or a name typed; then the client's
// words unless they were typed with the command. Named with the command,
// nothing is asked.
func TestTypedLostToCompetitorAsksWhich(t *testing.T) {
	h := apptest.New(t)
	h.Clock.Set(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC))
	h.Member(dlRep, "South", "rep")
	h.Member(dlRepZh, "South", "rep")
	for _, d := range []string{"/deal Acme; 20 trucks; 3M CNY; vs Brand X, Brand Y", "/deal Beta; 5 pumps; vs Brand X", "/deal Gamma; 2 cranes; vs Brand X"} {
		apptest.MustContain(t, h.Send(dlRep, d), "New deal for")
	}
	apptest.MustContain(t, h.Send(dlRepZh, "/deal 华为; 20台; 竞品 某品牌"), "华为 的新项目")

	got := h.Send(dlRep, "/deal lost Acme competitor")
	apptest.MustContain(t, got, "Filed as lost: Acme — 20 trucks. Reason: competitor.", "Lost to which competitor? Tap one or type its name.")
	if !hasButton(got, "Brand X") || !hasButton(got, "Brand Y") || !hasButton(got, "Skip") {
		t.Fatalf("the competitor question offers %q", apptest.Joined(got))
	}
	got = h.Tap(dlRep, got, "Brand Y")
	apptest.MustContain(t, got, "Why was “20 trucks” lost, in the client's words? Type it, or Skip.")
	apptest.MustContain(t, h.Send(dlRep, "cheaper by 10%"), "Filed as lost: Acme — 20 trucks. Reason: competitor (Brand Y) — “cheaper by 10%”.")

	// The words typed with the command are filed and not asked again; a
	// name typed that is not one of the deal's is taken.
	got = h.Send(dlRep, `/deal lost Beta competitor "they were faster"`)
	apptest.MustContain(t, got, "Filed as lost: Beta — 5 pumps. Reason: competitor — “they were faster”.", "Lost to which competitor?")
	got = h.Send(dlRep, "Brand Q")
	apptest.MustContain(t, got, "Filed as lost: Beta — 5 pumps. Reason: competitor (Brand Q) — “they were faster”.")
	if strings.Contains(apptest.Joined(got), "client's words") {
		t.Fatalf("the typed words are asked again: %q", apptest.Joined(got))
	}

	// Named with the command: filed, nothing asked.
	got = h.Send(dlRep, "/deal lost Gamma competitor Brand X")
	apptest.MustContain(t, got, "Filed as lost: Gamma — 2 cranes. Reason: competitor (Brand X).")
	if strings.Contains(apptest.Joined(got), "which competitor") {
		t.Fatalf("a named competitor is asked for: %q", apptest.Joined(got))
	}

	got = h.Send(dlRepZh, "/deal 丢单 华为 竞争对手")
	apptest.MustContain(t, got, "已记为丢单:华为 —— 20台。原因:竞争对手。", "丢给了哪个竞争对手?点选或输入名称。")
	got = h.Tap(dlRepZh, got, "某品牌")
	apptest.MustContain(t, got, "“20台”为什么丢单?请用客户的原话说明,或跳过。")
	apptest.MustContain(t, h.Tap(dlRepZh, got, "跳过"), "已记为丢单:华为 —— 20台。原因:竞争对手(某品牌)。")
}
