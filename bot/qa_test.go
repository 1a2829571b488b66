package bot_test

import (
	"strings"
	"testing"
	"time"

	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
)

var (
	qaRep   = tgfake.User{ID: 1701, FirstName: "Rita", LanguageCode: "en"}
	qaRepZh = tgfake.User{ID: 1702, FirstName: "张伟", LanguageCode: "zh"}
)

// A deal typed without a product is named by its quantity ("5 units"):
// winning it says the quantity once, in the confirmation and in /month.
func TestQAWonDealSaysQuantityOnce(t *testing.T) {
	h := apptest.New(t)
	h.Clock.Set(time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC))
	h.Member(qaRep, "North", "rep")
	h.Member(qaRepZh, "North", "rep")

	apptest.MustContain(t, h.Send(qaRep, "/deal Beta; 5 units; 500k CNY; close 2026-12"), "New deal for Beta: 5 units")
	apptest.MustContain(t, h.Send(qaRep, "/deals"), "2026-12 · Beta — 5 units · 500,000 CNY")
	got := h.Send(qaRep, "/deal won Beta")
	apptest.MustContain(t, got, "🏆 Won: Beta — 5 units, 500,000 CNY. Well done!")
	got = h.Send(qaRep, "/month")
	apptest.MustContain(t, got, "• Beta — 5 units · 500,000 CNY")
	for _, s := range got {
		if strings.Contains(s.Text, "5 units · 5 units") {
			t.Errorf("/month says the quantity twice:\n%s", s.Text)
		}
	}

	// A titled deal keeps its quantity.
	h.Send(qaRep, "/deal Gamma; fleet renewal; 7 units; 70k CNY; close 2026-12")
	apptest.MustContain(t, h.Send(qaRep, "/deal won Gamma"), "🏆 Won: Gamma — fleet renewal, 7 units, 70,000 CNY.")

	apptest.MustContain(t, h.Send(qaRepZh, "/deal 华为; 20台; 32万; 12月签"), "20台")
	apptest.MustContain(t, h.Send(qaRepZh, "/deals"), "华为 — 20台 · 320,000")
	apptest.MustContain(t, h.Send(qaRepZh, "/deal 赢单 华为"), "🏆 赢单:华为 —— 20台,320,000。干得好!")
	got = h.Send(qaRepZh, "/month")
	apptest.MustContain(t, got, "• 华为 —— 20台 · 320,000")
}

// /settings KEY without a value asks for one with an example (it said
// “” is not a valid value), and /help names every group of settings.
func TestQASettingsWithoutValue(t *testing.T) {
	h := apptest.New(t)
	mgr := tgfake.User{ID: 1703, FirstName: "Mia", LanguageCode: "en"}
	mgrZh := tgfake.User{ID: 1704, FirstName: "王芳", LanguageCode: "zh"}
	h.Member(mgr, "North", "manager")
	h.Member(mgrZh, "North", "manager")

	apptest.MustContain(t, h.Send(mgr, "/settings probability"), "/settings probability needs a value after it. Example: /settings probability demo 40")
	apptest.MustContain(t, h.Send(mgr, "/settings tz"), "/settings tz needs a value after it. Example: /settings tz Asia/Shanghai")
	apptest.MustContain(t, h.Send(mgr, "/settings probability demo 150"), "“demo 150” is not a valid value for probability.")
	apptest.MustContain(t, h.Send(mgrZh, "/settings currency"), "/settings currency 后面要写上值。例如:/settings currency CNY")
	apptest.MustContain(t, h.Send(mgr, "/help"), "/settings — team settings: time zone, revisit interval, working hours, currency, stage probabilities, standing targets")
	apptest.MustContain(t, h.Send(mgrZh, "/help"), "/settings — 团队设置:时区、复访间隔、工作时间、币种、各阶段赢单概率、常设目标")
}

// A client with no stage yet is listed without a bare dash (“Beta — — ·
// not visited yet”).
func TestQAClientsNoStageNoDash(t *testing.T) {
	h := apptest.New(t)
	h.Member(qaRep, "North", "rep")
	h.Member(qaRepZh, "North", "rep")
	h.Send(qaRep, "/deal Beta; 5 units")
	h.Send(qaRep, "/visit Acme; phone")
	got := h.Send(qaRep, "/clients")
	apptest.MustContain(t, got, "Beta — not visited yet", "Acme — last visit")
	h.Send(qaRepZh, "/deal 小米; 10台")
	apptest.MustContain(t, h.Send(qaRepZh, "/clients"), "小米 — ")
	for _, s := range h.Send(qaRepZh, "/clients") {
		if strings.Contains(s.Text, "— — ·") {
			t.Errorf("a bare dash for no stage:\n%s", s.Text)
		}
	}
}

// A rep who tries to share their own client is told who can and what to
// send (it pointed at a button the rep's screen does not have).
func TestQAShareByRepSaysWhatToAsk(t *testing.T) {
	h := apptest.New(t)
	h.Member(qaRep, "North", "rep")
	h.Member(qaRepZh, "North", "rep")
	h.Send(qaRep, "/visit Acme; phone")
	h.Send(qaRepZh, "/visit 华为; 电话")
	got := h.Send(qaRep, "/client Acme share @张伟")
	apptest.MustContain(t, got, "Only a manager of the client's team can share it. Ask your manager to send: /client Acme share @张伟")
	apptest.MustContain(t, h.Send(qaRepZh, "/client 华为 share @Rita"), "只有该客户所在团队的经理可以共享它。请经理发送:/client 华为 share @Rita")
	for _, s := range got {
		if strings.Contains(s.Text, "button under") {
			t.Errorf("points at a button that is not there:\n%s", s.Text)
		}
	}
}

// “Ahead of pace” is one word in Chinese: /month said 超前 where /target
// and /digest say 领先.
func TestQAAheadIsOneWordInChinese(t *testing.T) {
	h := apptest.New(t)
	h.Clock.Set(time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC))
	mgr := tgfake.User{ID: 1705, FirstName: "王芳", LanguageCode: "zh"}
	h.Member(mgr, "North", "manager")
	h.Member(qaRepZh, "North", "rep")
	apptest.MustContain(t, h.Send(mgr, "/target @张伟 台数 30"), "台数 30")
	apptest.MustContain(t, h.Send(qaRepZh, "/deal 华为; 20台; 32万; 12月签"), "华为 的新项目")
	apptest.MustContain(t, h.Send(qaRepZh, "/deal 赢单 华为"), "🏆 赢单")
	h.Clock.Advance(time.Minute)
	apptest.MustContain(t, h.Send(qaRepZh, "/target"), "20/30台,应达 1(领先)")
	got := h.Send(qaRepZh, "/month")
	apptest.MustContain(t, got, "台数 20/30(66%),进度应达 1 —— 领先")
	for _, s := range got {
		if strings.Contains(s.Text, "超前") {
			t.Errorf("/month says 超前, /target 领先:\n%s", s.Text)
		}
	}
}

// The Chinese plan hints give a Chinese example (they named Acme).
func TestQAChinesePlanHintIsChinese(t *testing.T) {
	h := apptest.New(t)
	h.Member(qaRepZh, "North", "rep")
	got := h.Send(qaRepZh, "/plan")
	apptest.MustContain(t, got, "添加计划:/plan next 周一 小米 演示; 周三 华为 报价")
	apptest.MustContain(t, h.Send(qaRepZh, "/plan next 华为 报价"), "例如:/plan next 周一 小米 演示; 周三 华为 报价")
	for _, s := range got {
		if strings.Contains(s.Text, "Acme") {
			t.Errorf("an English example in a Chinese answer:\n%s", s.Text)
		}
	}
}

// The Chinese history of a share says what was shared (“把共享给” lacked
// its object).
func TestQAChineseShareHistoryReads(t *testing.T) {
	h := apptest.New(t)
	mgr := tgfake.User{ID: 1706, FirstName: "王芳", LanguageCode: "zh"}
	h.Member(mgr, "North", "manager")
	h.Member(qaRepZh, "North", "rep")
	h.Member(qaRep, "North", "rep")
	h.Send(qaRepZh, "/visit 华为; 电话")
	apptest.MustContain(t, h.Send(mgr, "/client 华为 share @Rita"), "已把 华为 共享给 Rita")
	h.Send(mgr, "/client 华为 unshare @Rita")
	got := h.Send(qaRepZh, "/history 华为")
	apptest.MustContain(t, got, "王芳 把它共享给 Rita", "王芳 不再把它共享给 Rita")
}

// A Chinese week word joined to its day (下周一, 本周五) reads as the week
// and the day, as “下周 周一” does.
func TestQAPlanWeekJoinedToDay(t *testing.T) {
	h := apptest.New(t)
	h.Clock.Set(time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)) // Tue
	h.Member(qaRepZh, "North", "rep")
	apptest.MustContain(t, h.Send(qaRepZh, "/visit 华为; 面谈"), "华为")
	apptest.MustContain(t, h.Send(qaRepZh, "/plan 下周一 华为 演示"), "已加入第 50 周计划", "12月7日 周一 华为 — 演示")
	apptest.MustContain(t, h.Send(qaRepZh, "/plan 本周五 华为 报价"), "已加入第 49 周计划", "12月4日 周五 华为 — 报价")
}
