package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"salesbot/internal/apptest"
	"salesbot/internal/tgfake"
)

var (
	amMgr   = tgfake.User{ID: 3101, FirstName: "Mia", Username: "mia", LanguageCode: "en"}
	amRita  = tgfake.User{ID: 3102, FirstName: "Rita", Username: "rita", LanguageCode: "en"}
	amZhang = tgfake.User{ID: 3103, FirstName: "张伟", Username: "zhangwei", LanguageCode: "zh"}
)

// utcAt is a date and time in UTC, the team's zone here.
func utcAt(date, hm string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", date+" "+hm)
	if err != nil {
		panic(err)
	}
	return t
}

// One month of team North (UTC, Mon–Fri), as a new team would live it:
// Mia (English) manages, Rita (English) and 张伟 (Chinese) sell. Mia sets
// December's targets, the reps log deals as people type them (3.2M CNY,
// 320万, 20台), visits move the deals (a client with two open deals asks
// which, by buttons), Rita wins Acme and names two referrals, 张伟 loses
// a 华为 deal to a competitor (a reason button, then which one and the
// client's words). On Thursday 10 December at 18:00 every
// report shows the month; each number below is worked out by hand here.
//
// Deals (ids in order of creation):
//
//	#1 Rita  Acme  20 trucks  20 u  3,200,000 CNY  close 2026-12  Brand X   demo (3 Dec) → won 8 Dec: 20 u, 3.2M
//	#2 Rita  Acme  5 pumps     5 u    800,000 CNY  close 2026-12            no stage → contact 10 %
//	#3 Rita  Beta  10 units   10 u  1,200,000 CNY  close 2026-12  Brand Y, Brand X  negotiation (3 Dec) 75 %
//	#4 张伟  华为  20台       20 u  3,200,000 (no currency)  close 2026-12  某品牌  negotiation (3 Dec) → lost 8 Dec, competitor
//	#5 张伟  华为  交换机      5 u    500,000      close 2026-12  Brand X   no stage → contact 10 %
//	#6 张伟  小米  8台         8 u    800,000      close 2027-01            proposal (3 Dec) → negotiation (10 Dec) 75 %
//
// Visits: Rita Acme 25 Nov (the card is November's: an existing client in
// December); Dec: Rita Beta 1st, Acme 3rd, Beta 3rd, Delta Ltd 10th (4;
// existing-client 1: Acme); 张伟 华为 1st, 小米 1st, 华为 3rd, 小米 3rd,
// 小米 10th (5; existing 0). New clients in December: Rita Beta, Delta
// Ltd, Echo Co (the referrals) = 3; 张伟 华为, 小米 = 2; team 5.
//
// December has 23 working days (Tue 1 – Thu 31, weekends off); by Thu 10
// Dec 8 have gone (1–4, 7–10), by the end of week 49 (Sun 6 Dec) 4.
// Pace = target × gone / 23, half up; on pace within ±10 % of it:
//
//	Rita   units 30: pace 240/23 = 10.43 → 10, done 20 → ahead; value 5M: 1,739,130.43 → 1,739,130, done 3.2M → ahead
//	       visits 20: 160/23 → 7, done 4 → behind; existing (default 5): 40/23 → 2, done 1 → behind
//	       new clients 4: 32/23 → 1, done 3 → ahead
//	张伟   units 20: 160/23 → 7; value 3M: 1,043,478.26 → 1,043,478; visits (default 2 a day: 46): 16, done 5; existing 5: 2, done 0
//	Team   units 60: 480/23 = 20.87 → 21, done 20 → on pace (18.9–23.1); value 10M: 3,478,260.87 → 3,478,261, done 3.2M → on pace
//	       visits 20+46 = 66: 22.96 → 23, done 9; existing 5+5 = 10: 3.48 → 3, done 1; new clients 4 (Rita's): 1, done 5 → ahead
//	week 49 (4 gone): Rita units 5, value 869,565, visits 3/3 on pace, existing 1/1 on pace, new 1/1 on pace;
//	       张伟 units 3, value 521,739, visits 4/8, existing 0/1; team units 10, value 1,739,130, visits 7/11, existing 1/2, new 3/1
//
// Pipeline (open: #2 #3 #5 #6): 4 deals, 5+10+5+8 = 28 units, 2,000,000 CNY + 1,300,000 (no currency);
// weighted 0.5 + 7.5 + 0.5 + 6 = 14.5 units, 80,000 + 900,000 = 980,000 CNY + 50,000 + 600,000 = 650,000.
// Forecast for December (closing in December: #2 #3 #5; #6 closes in January):
// Rita won 20 + 8 = 28 of 30 (2 short), 3.2M + 980,000 = 4,180,000 of 5M (820,000 short);
// 张伟 0 + 0.5 of 20 (19.5 short), 50,000 (no currency counts to CNY) of 3M (2,950,000 short);
// team 28.5 of 60 (31.5 short), 4,230,000 of 10M (5,770,000 short).
func TestDealsMonthAddsUp(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { dealsMonthAddsUp(t, apptest.New(t)) })
	t.Run("postgres", func(t *testing.T) { dealsMonthAddsUp(t, apptest.New(t, apptest.Postgres(t))) })
}

// textOf is the one message the bot answered with.
func textOf(t *testing.T, got []tgfake.Sent, what string) string {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("%s: %d messages: %q", what, len(got), apptest.Texts(got))
	}
	return got[0].Text
}

// wantText fails unless got is want, showing both.
func wantText(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s:\n%s\n\nwant:\n%s", what, got, want)
	}
}

func dealsMonthAddsUp(t *testing.T, h *apptest.Harness) {
	must := func(u tgfake.User, text string, want ...string) []tgfake.Sent {
		t.Helper()
		got := h.Send(u, text)
		apptest.MustContain(t, got, want...)
		return got
	}
	h.Clock.Set(utcAt("2026-11-25", "10:00"))
	h.Member(amMgr, "North", "manager")
	h.Member(amRita, "North", "rep")
	h.Member(amZhang, "North", "rep")
	must(amRita, "/visit Acme; phone", "new client Acme")

	// 1 December: targets, then deals.
	h.Clock.Set(utcAt("2026-12-01", "09:00"))
	must(amMgr, "/target @rita units 30", "🎯 Target saved: Rita, units 30 in Dec 2026.", "working day 1 of 23",
		"Rita: 0/30 units, pace 1 — behind · 0/46* visits, pace 2 — behind") // 30/23 → 1; the default 2 × 23 visits
	must(amMgr, "/target @rita value 5M CNY", "Rita, value 5,000,000 CNY in Dec 2026", "value 0/5,000,000 CNY, pace 217,391 — behind")
	must(amMgr, "/target @rita visits 20", "0/20 visits, pace 1 — behind")
	must(amMgr, "/target @rita new clients 4", "0/4 new clients, pace 0 — on pace")
	must(amMgr, "/target @zhangwei units 20", "🎯 Target saved: 张伟, units 20 in Dec 2026.")
	must(amMgr, "/target @zhangwei value 3M CNY", "value 0/3,000,000 CNY, pace 130,435 — behind") // 3M/23
	// Before the team's own value target, it is the reps' sum.
	must(amMgr, "/target team units 60", "team North, units 60", "Team: 0/60 units, pace 3 — behind · value 0/8,000,000 CNY*")
	must(amMgr, "/target team value 10M CNY", "Team: 0/60 units, pace 3 — behind · value 0/10,000,000 CNY, pace 434,783 — behind · 0/66* visits, pace 3 — behind · 0/10* visits to existing clients, pace 0 — on pace · 0/4* new clients, pace 0 — on pace")
	must(amRita, "/target", "🎯 Your targets for Dec 2026, working day 1 of 23:\nRita: 0/30 units, pace 1 — behind · value 0/5,000,000 CNY, pace 217,391 — behind · 0/20 visits, pace 1 — behind · 0/5* visits to existing clients, pace 0 — on pace · 0/4 new clients, pace 0 — on pace")
	must(amZhang, "/target @rita units 40", "经理") // reps do not set targets

	must(amRita, "/deal Acme; 20 trucks; 3.2M CNY; close 2026-12; vs Brand X", "💼 New deal for Acme: 20 trucks\n• Quantity: 20\n• Value: 3,200,000 CNY\n• Expected close: 2026-12\n• Competitors: Brand X")
	must(amRita, "/deal Acme; 5 pumps; 800k CNY; close 2026-12", "💼 New deal for Acme: 5 pumps\n• Quantity: 5\n• Value: 800,000 CNY")
	must(amRita, "/visit Beta; in person; needs analysis", "new client Beta")
	must(amRita, "/deal Beta; 10 units; 1,200,000 CNY; close 2026-12; vs Brand Y, Brand X", "• Value: 1,200,000 CNY", "• Competitors: Brand Y, Brand X")
	must(amZhang, "/visit 华为; 面谈", "新客户 华为")
	must(amZhang, "/deal 华为; 20台; 320万; 12月签; 竞品 某品牌", "💼 华为 的新项目:20台\n• 数量:20\n• 金额:3,200,000\n• 预计签约:2026-12\n• 竞争对手:某品牌")
	must(amZhang, "/deal 华为; 交换机; 5台; 50万; 12月签; 竞品 Brand X", "💼 华为 的新项目:交换机\n• 数量:5\n• 金额:500,000\n• 预计签约:2026-12")
	must(amZhang, "/visit 小米; 电话", "新客户 小米")
	must(amZhang, "/deal 小米; 8台; 80万; 2027年1月签", "• 金额:800,000\n• 预计签约:2027-01")

	// 3 December: visits advance the deals; two open deals ask which.
	h.Clock.Set(utcAt("2026-12-03", "11:00"))
	got := must(amRita, "/visit Acme; in person; demo; warm", "Acme has several open deals. Which one was this visit for?")
	apptest.MustContain(t, h.Tap(amRita, got, "20 trucks"), "💼 Deal “20 trucks” advanced to demo / trial")
	must(amRita, "/visit Beta; phone; negotiation", "💼 Deal “10 units” advanced to negotiation")
	got = must(amZhang, "/visit 华为; 面谈; 谈判", "华为 有多个进行中的项目。这次拜访是为哪一个?")
	apptest.MustContain(t, h.Tap(amZhang, got, "20台"), "💼 项目“20台”推进到 谈判")
	must(amZhang, "/visit 小米; 电话; 报价", "💼 项目“8台”推进到 建议书/报价")

	// 8 December: a win with referrals, a loss.
	h.Clock.Set(utcAt("2026-12-08", "15:00"))
	must(amRita, "/deal won Acme", "Acme has several open deals; which one?\n#1 2026-12 · 20 trucks · 3,200,000 CNY · demo / trial\n#2 2026-12 · 5 pumps · 800,000 CNY\nSay it by number, e.g. /deal won #1")
	must(amRita, "/deal won #1 20 units 3.2M", "🏆 Won: Acme — 20 trucks, 3,200,000 CNY. Well done!", "“referral from Acme”. 0 of 5 so far.")
	got = must(amRita, "Delta Ltd, Echo Co", "➕ New client cards: Delta Ltd, Echo Co (referral from Acme; 2 of 5).")
	apptest.MustContain(t, h.Tap(amRita, got, "That's all"), "🤝 Thank you: 2 referrals from Acme — Delta Ltd, Echo Co.")
	for _, name := range []string{"Delta Ltd", "Echo Co"} {
		if c, ok := clientSource(t, h, amRita, name); !ok || c.Source != "referral from Acme" {
			t.Fatalf("referral card %s: %+v", name, c)
		}
	}
	must(amZhang, "/deal 丢单 华为", "华为 有多个进行中的项目,是哪一个?\n#4 2026-12 · 20台 · 3,200,000 · 谈判\n#5 2026-12 · 交换机 · 5 台 · 500,000\n请用编号,例如 /deal 丢单 #4")
	got = must(amZhang, "/deal 丢单 #4", "“20台”为什么丢单?")
	// The button files the reason; then the bot asks which competitor
	// (the deal's as buttons) and the client's words.
	got = h.Tap(amZhang, got, "竞争对手")
	apptest.MustContain(t, got, "已记为丢单:华为 —— 20台。原因:竞争对手。", "丢给了哪个竞争对手?点选或输入名称。")
	got = h.Tap(amZhang, got, "某品牌")
	apptest.MustContain(t, got, "“20台”为什么丢单?请用客户的原话说明,或跳过。")
	must(amZhang, "对方报价低 15%", "已记为丢单:华为 —— 20台。原因:竞争对手(某品牌) —— “对方报价低 15%”。")

	// 10 December: a visit each, then the reports at 18:00.
	h.Clock.Set(utcAt("2026-12-10", "10:00"))
	must(amRita, "/visit Delta Ltd; phone", "Visit saved — Delta Ltd")
	must(amZhang, "/visit 小米; 面谈; 谈判", "💼 项目“8台”推进:建议书/报价 → 谈判")
	h.Clock.Set(utcAt("2026-12-10", "18:00"))

	// /me
	must(amRita, "/me", "🎯 Your month (Dec 2026, working day 8 of 23):\n"+
		"• 20/30 units, pace 10 — ahead\n"+
		"• value 3,200,000/5,000,000 CNY, pace 1,739,130 — ahead\n"+
		"• 4/20 visits, pace 7 — behind\n"+
		"• 1/5 visits to existing clients, pace 2 — behind\n"+
		"• 3/4 new clients, pace 1 — ahead")
	me := textOf(t, h.Send(amZhang, "/me"), "张伟's /me")
	if !strings.HasSuffix(me, "🎯 你的本月(2026年12月,第 8/23 个工作日):\n"+
		"• 0/20台,应达 7(落后)\n"+
		"• 金额 0/3,000,000 CNY,应达 1,043,478(落后)\n"+
		"• 拜访 5/46次,应达 16(落后)\n"+
		"• 老客户拜访 0/5次,应达 2(落后)") {
		t.Fatalf("张伟's /me:\n%s", me)
	}

	// /digest: today's two visits; follow-ups open and due before now:
	// Rita's Acme and Beta (3 Dec → 10 Dec 11:00), 张伟's 华为; 小米's
	// was closed by this morning's visit; the earlier ones by revisits.
	digest := textOf(t, h.Send(amMgr, "/digest"), "/digest")
	wantText(t, "/digest", digest, "📊 North — daily digest, Thu 10 Dec\n"+
		"Visits: 2 · objections: 0 · active: 2 of 2 (the reps)\n"+
		"Follow-ups: 0 done today (and 1 revisit closed by visiting again), 3 overdue\n"+
		"Week plan: nothing planned\n\n"+
		"📈 Stage changes:\n• 小米: proposal / quote → negotiation (张伟)\n\n"+
		"🎯 Month to date (Dec 2026, working day 8 of 23):\n"+
		"Team: 20/60 units, pace 21 — on pace · value 3,200,000/10,000,000 CNY, pace 3,478,261 — on pace · 9/66 visits, pace 23 — behind · 1/10 visits to existing clients, pace 3 — behind · 5/4 new clients, pace 1 — ahead\n"+
		"Rita: 20/30 units, pace 10 — ahead · value 3,200,000/5,000,000 CNY, pace 1,739,130 — ahead · 4/20 visits, pace 7 — behind · 1/5 visits to existing clients, pace 2 — behind · 3/4 new clients, pace 1 — ahead\n"+
		"张伟: 0/20 units, pace 7 — behind · value 0/3,000,000 CNY, pace 1,043,478 — behind · 5/46 visits, pace 16 — behind · 0/5 visits to existing clients, pace 2 — behind\n\n"+
		"👤 Rita\nVisits (1):\n• 10:00 Delta Ltd — stage not stated\nFollow-ups: 0 done, 2 overdue\nPlan: nothing planned this week\n\n"+
		"👤 张伟\nVisits (1):\n• 10:00 小米 — negotiation\nFollow-ups: 0 done (+1 closed by a visit), 1 overdue\nPlan: nothing planned this week")

	// /week: week 49 (30 Nov – 6 Dec) and the month to its end.
	week := h.Send(amMgr, "/week")
	apptest.MustContain(t, week, "📅 North — weekly summary, week 49 (Mon 30 Nov – Sun 6 Dec)\nPlan vs actual: nothing was planned\nVisits: 7 · objections: 0\n\n"+
		"Per rep (planned done / planned, missed, unplanned, visits):\n• Rita: 0/0, 0 missed, 3 unplanned, 3 visits\n• 张伟: 0/0, 0 missed, 4 unplanned, 4 visits\n\n"+
		"Visits by stage reached: needs analysis 1 · demo / trial 1 · proposal / quote 1 · negotiation 2\nClient attitude: warm 1\n\n"+
		"📈 Stage changes:\n• Beta: needs analysis → negotiation (Rita)",
		"🎯 Dec 2026 to the end of the week (working day 4 of 23):\n"+
			"Team: 0/60 units, pace 10 — behind · value 0/10,000,000 CNY, pace 1,739,130 — behind · 7/66 visits, pace 11 — behind · 1/10 visits to existing clients, pace 2 — behind · 3/4 new clients, pace 1 — ahead\n"+
			"Rita: 0/30 units, pace 5 — behind · value 0/5,000,000 CNY, pace 869,565 — behind · 3/20 visits, pace 3 — on pace · 1/5 visits to existing clients, pace 1 — on pace · 1/4 new clients, pace 1 — on pace\n"+
			"张伟: 0/20 units, pace 3 — behind · value 0/3,000,000 CNY, pace 521,739 — behind · 4/46 visits, pace 8 — behind · 0/5 visits to existing clients, pace 1 — behind")
	apptest.MustContain(t, week, "North, week 49: nothing was planned; 7 visits. Objections: none\nunits Dec 2026: Rita 0/30 (pace 5), 张伟 0/20 (pace 3)")

	// /pipeline
	pipe := "Open deals: 4 deals · 28 units · 2,000,000 CNY + 1,300,000\n" +
		"Weighted by stage: 14.5 units · 980,000 CNY + 650,000\n\n" +
		"By stage (chance of winning):\n" +
		"• contact (10%): 2 deals · 10 units · 800,000 CNY + 500,000 → 1 unit · 80,000 CNY + 50,000\n" +
		"• negotiation (75%): 2 deals · 18 units · 1,200,000 CNY + 800,000 → 13.5 units · 900,000 CNY + 600,000\n\n" +
		"By rep (weighted):\n" +
		"• Rita: 2 deals · 15 units · 2,000,000 CNY → 8 units · 980,000 CNY\n" +
		"• 张伟: 2 deals · 13 units · 1,300,000 → 6.5 units · 650,000\n\n" +
		"Forecast for Dec 2026 (won + open deals expected to close then, weighted):\n" +
		"• Rita: 28 units of 30 units (won 20 + weighted 8) — 2 units short; value 4,180,000 CNY of 5,000,000 CNY — 820,000 CNY short\n" +
		"• 张伟: 0.5 units of 20 units (won 0 + weighted 0.5) — 19.5 units short; value 50,000 CNY of 3,000,000 CNY — 2,950,000 CNY short\n" +
		"Team: 28.5 units of 60 units (won 20 + weighted 8.5) — 31.5 units short; value 4,230,000 CNY of 10,000,000 CNY — 5,770,000 CNY short"
	got = h.Send(amMgr, "/pipeline")
	apptest.MustContain(t, got, "📈 Pipeline of North — Dec 2026\n"+pipe,
		"North, Dec 2026: 4 open deals, 28 units, weighted 14.5 units · 980,000 CNY + 650,000. Forecast: 28.5 units of 60 units (won 20 + weighted 8.5) — 31.5 units short; value 4,230,000 CNY of 10,000,000 CNY — 5,770,000 CNY short. Rita 28/30 · 张伟 0.5/20")
	apptest.MustContain(t, h.Send(amRita, "/pipeline"), "📈 Your pipeline in North — Dec 2026\nOpen deals: 2 deals · 15 units · 2,000,000 CNY\nWeighted by stage: 8 units · 980,000 CNY\n\n"+
		"By stage (chance of winning):\n• contact (10%): 1 deal · 5 units · 800,000 CNY → 0.5 units · 80,000 CNY\n• negotiation (75%): 1 deal · 10 units · 1,200,000 CNY → 7.5 units · 900,000 CNY\n\n"+
		"Forecast for Dec 2026 (won + open deals expected to close then, weighted):\nYou: 28 units of 30 units (won 20 + weighted 8) — 2 units short; value 4,180,000 CNY of 5,000,000 CNY — 820,000 CNY short")
	apptest.MustContain(t, h.Send(amZhang, "/pipeline"), "📈 你在 North 的销售漏斗 —— 2026年12月\n在跟项目:2 个项目 · 13 台 · 1,300,000\n按阶段加权:6.5 台 · 650,000\n\n"+
		"按业务进度(赢单概率):\n• 接触客户(10%):1 个项目 · 5 台 · 500,000 → 0.5 台 · 50,000\n• 谈判(75%):1 个项目 · 8 台 · 800,000 → 6 台 · 600,000\n\n"+
		"2026年12月预测(已赢 + 预计当月签约的在跟项目加权):\n你:0.5 台 / 目标 20 台(已赢 0 + 加权 0.5)—— 差 19.5 台;金额 50,000 CNY / 目标 3,000,000 CNY —— 差 2,950,000 CNY")

	// /month: December so far.
	ritaAtt := "• Rita (won 1, lost 0): units 20/30 (66%), pace 10 — ahead · value 3,200,000 CNY/5,000,000 CNY (64%), pace 1,739,130 CNY — ahead · visits 4/20 (20%), pace 7 — behind · visits to existing clients 1/5 (20%), pace 2 — behind · new clients 3/4 (75%), pace 1 — ahead"
	wantText(t, "Mia's /month", textOf(t, h.Send(amMgr, "/month"), "/month"), "🗓 North — Dec 2026 so far: the month's review\n"+
		"Won: 1 deal · 20 units · 3,200,000 CNY\nLost: 1 deal\n\n"+
		"Against targets:\n"+ritaAtt+"\n"+
		"• 张伟 (won 0, lost 1): units 0/20 (0%), pace 7 — behind · value 0 CNY/3,000,000 CNY (0%), pace 1,043,478 CNY — behind · visits 5/46 (10%), pace 16 — behind · visits to existing clients 0/5 (0%), pace 2 — behind\n\n"+
		"🏆 Won (1):\n• Acme — 20 trucks · 3,200,000 CNY · Rita\n\n"+
		"✖️ Lost (1):\n• 华为 — 20台 · competitor (某品牌) — “对方报价低 15%” · 张伟\n\n"+
		"Why we lost: competitor 1\n"+
		"Competitors met: Brand X (3 deals) · 某品牌 (1 deal, lost 1 to them) · Brand Y (1 deal)\n\n"+
		"📈 Pipeline for Dec 2026: 3 open deals expected to close, 20 units. Forecast: 28.5 units of 60 units (won 20 + weighted 8.5) — 31.5 units short; value 4,230,000 CNY of 10,000,000 CNY — 5,770,000 CNY short. More: /pipeline")
	wantText(t, "Rita's /month", textOf(t, h.Send(amRita, "/month"), "/month"), "🗓 Your Dec 2026 so far in North\n"+
		"Won: 1 deal · 20 units · 3,200,000 CNY\nLost: 0 deals\n\n"+
		"Against targets:\n"+ritaAtt+"\n\n"+
		"🏆 Won (1):\n• Acme — 20 trucks · 3,200,000 CNY\n\n"+
		"Competitors met: Brand X (2 deals) · Brand Y (1 deal)\n\n"+
		"📈 Pipeline for Dec 2026: 2 open deals expected to close, 15 units. Forecast: 28 units of 30 units (won 20 + weighted 8) — 2 units short; value 4,180,000 CNY of 5,000,000 CNY — 820,000 CNY short. More: /pipeline")
	wantText(t, "张伟's /month", textOf(t, h.Send(amZhang, "/month"), "/month"), "🗓 你在 North 的2026年12月(截至目前)\n"+
		"赢单:0 个项目 · 0 台\n丢单:1 个项目\n\n"+
		"目标完成情况:\n"+
		"• 张伟(赢 0,丢 1):台数 0/20(0%),进度应达 7 —— 落后 · 金额 0 CNY/3,000,000 CNY(0%),进度应达 1,043,478 CNY —— 落后 · 拜访 5/46(10%),进度应达 16 —— 落后 · 老客户拜访 0/5(0%),进度应达 2 —— 落后\n\n"+
		"✖️ 丢单(1):\n• 华为 —— 20台 · 竞争对手(某品牌) —— “对方报价低 15%”\n\n"+
		"丢单原因:竞争对手 1\n"+
		"遇到的竞争对手:某品牌(1 个项目,其中丢给它 1 个) · Brand X(1 个项目)\n\n"+
		"📈 2026年12月漏斗:预计签约的在跟项目 1 个,5 台。预测:0.5 台 / 目标 20 台(已赢 0 + 加权 0.5)—— 差 19.5 台;金额 50,000 CNY / 目标 3,000,000 CNY —— 差 2,950,000 CNY。详见 /pipeline")

	// /export: the last 30 days (11 Nov – 10 Dec): 10 visits, 6 clients,
	// 8 follow-ups due in it (the two of 10 Dec are due on the 17th).
	got = h.Send(amMgr, "/export")
	apptest.MustContain(t, got, "North, 2026-11-11 – 2026-12-10: 10 visits, 0 objections, 6 clients, 8 follow-ups.")
	f := openWorkbook(t, got[0])
	ds := rows(t, f, "Deals")
	wantRows := [][]string{
		{"1", "Acme", "20 trucks", "Rita", "", "20", "3,200,000.00", "CNY", "2026-12", "contract", "", "", "", "Brand X", "", "", "won", "", "", "", "2026-12-01 09:00", "2026-12-08 15:00"},
		{"2", "Acme", "5 pumps", "Rita", "", "5", "800,000.00", "CNY", "2026-12", "", "", "", "", "", "", "", "open", "", "", "", "2026-12-01 09:00"},
		{"3", "Beta", "10 units", "Rita", "", "10", "1,200,000.00", "CNY", "2026-12", "negotiation", "", "", "", "Brand Y; Brand X", "", "", "open", "", "", "", "2026-12-01 09:00"},
		{"4", "华为", "20台", "张伟", "", "20", "3,200,000.00", "", "2026-12", "lost", "", "", "", "某品牌", "", "", "lost", "competitor", "某品牌", "对方报价低 15%", "2026-12-01 09:00", "2026-12-08 15:00"},
		{"5", "华为", "交换机", "张伟", "", "5", "500,000.00", "", "2026-12", "", "", "", "", "Brand X", "", "", "open", "", "", "", "2026-12-01 09:00"},
		{"6", "小米", "8台", "张伟", "", "8", "800,000.00", "", "2027-01", "negotiation", "", "", "", "", "", "", "open", "", "", "", "2026-12-01 09:00"},
	}
	if len(ds) != len(wantRows)+1 {
		t.Fatalf("Deals sheet has %d rows: %q", len(ds), ds)
	}
	for i, want := range wantRows {
		if got := strings.Join(ds[i+1], "|"); got != strings.Join(want, "|") {
			t.Fatalf("Deals row %d:\n%s\nwant\n%s", i+1, got, strings.Join(want, "|"))
		}
	}
	// Typed cells: units and value numbers, the close month a date.
	for cell, raw := range map[string]string{"F2": "20", "G2": "3200000", "G5": "3200000", "F7": "8", "I7": "46388"} {
		if typ, _ := f.GetCellType("Deals", cell); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Fatalf("Deals %s is of type %v, want a number", cell, typ)
		}
		if v, _ := f.GetCellValue("Deals", cell, excelize.Options{RawCellValue: true}); v != raw {
			t.Fatalf("Deals %s raw %q, want %q", cell, v, raw)
		}
	}
	// Targets: November's defaults (Rita's one visit of 25 Nov; the
	// month is over: pace = target) and December to date.
	ts := rows(t, f, "Targets")
	wantTargets := [][]string{
		{"Month", "Rep", "Target", "Goal", "Currency", "Done", "Pace", "% of goal", "Status", "Default", "Working days gone", "Working days"},
		{"2026-11", "Team", "visits", "84", "", "1", "84", "1", "behind", "TRUE", "21", "21"},
		{"2026-11", "Team", "visits to existing clients", "10", "", "0", "10", "0", "behind", "TRUE", "21", "21"},
		{"2026-11", "Rita", "visits", "42", "", "1", "42", "2", "behind", "TRUE", "21", "21"},
		{"2026-11", "Rita", "visits to existing clients", "5", "", "0", "5", "0", "behind", "TRUE", "21", "21"},
		{"2026-11", "张伟", "visits", "42", "", "0", "42", "0", "behind", "TRUE", "21", "21"},
		{"2026-11", "张伟", "visits to existing clients", "5", "", "0", "5", "0", "behind", "TRUE", "21", "21"},
		{"2026-12", "Team", "units", "60", "", "20", "21", "33", "on pace", "FALSE", "8", "23"},
		{"2026-12", "Team", "value", "10,000,000.00", "CNY", "3,200,000.00", "3,478,260.87", "32", "on pace", "FALSE", "8", "23"},
		{"2026-12", "Team", "visits", "66", "", "9", "23", "13", "behind", "TRUE", "8", "23"},
		{"2026-12", "Team", "visits to existing clients", "10", "", "1", "3", "10", "behind", "TRUE", "8", "23"},
		{"2026-12", "Team", "new clients", "4", "", "5", "1", "125", "ahead", "TRUE", "8", "23"},
		{"2026-12", "Rita", "units", "30", "", "20", "10", "66", "ahead", "FALSE", "8", "23"},
		{"2026-12", "Rita", "value", "5,000,000.00", "CNY", "3,200,000.00", "1,739,130.43", "64", "ahead", "FALSE", "8", "23"},
		{"2026-12", "Rita", "visits", "20", "", "4", "7", "20", "behind", "FALSE", "8", "23"},
		{"2026-12", "Rita", "visits to existing clients", "5", "", "1", "2", "20", "behind", "TRUE", "8", "23"},
		{"2026-12", "Rita", "new clients", "4", "", "3", "1", "75", "ahead", "FALSE", "8", "23"},
		{"2026-12", "张伟", "units", "20", "", "0", "7", "0", "behind", "FALSE", "8", "23"},
		{"2026-12", "张伟", "value", "3,000,000.00", "CNY", "0.00", "1,043,478.26", "0", "behind", "FALSE", "8", "23"},
		{"2026-12", "张伟", "visits", "46", "", "5", "16", "10", "behind", "TRUE", "8", "23"},
		{"2026-12", "张伟", "visits to existing clients", "5", "", "0", "2", "0", "behind", "TRUE", "8", "23"},
	}
	if len(ts) != len(wantTargets) {
		t.Fatalf("Targets sheet has %d rows: %q", len(ts), ts)
	}
	for i, want := range wantTargets {
		if got := strings.Join(ts[i], "|"); got != strings.Join(want, "|") {
			t.Fatalf("Targets row %d:\n%s\nwant\n%s", i, got, strings.Join(want, "|"))
		}
	}
	if csv := csvOf(t, got, "targets"); !strings.Contains(csv, "2026-12,Team,value,10000000,CNY,3200000,3478260.87,32,on pace,no,8,23\n") ||
		!strings.Contains(csv, "2026-12,张伟,visits,46,,5,16,10,behind,yes,8,23\n") {
		t.Fatalf("targets CSV:\n%s", csv)
	}
	if csv := csvOf(t, got, "deals"); !strings.Contains(csv, "4,华为,20台,张伟,,20,3200000,,2026-12,lost,,,,某品牌,,,lost,competitor,某品牌,对方报价低 15%,2026-12-01 09:00,2026-12-08 15:00") {
		t.Fatalf("deals CSV:\n%s", csv)
	}

	// The manager in Chinese: the same numbers.
	must(amMgr, "/lang zh", "中文")
	apptest.MustContain(t, h.Send(amMgr, "/digest"), "📊 North — 每日简报,12月10日 周四\n拜访:2 · 异议:0 · 有活动:2/2(销售代表)\n跟进:今天完成 0 个(另有 1 个复访因再次拜访而关闭),逾期 3 个",
		"🎯 本月至今(2026年12月,第 8/23 个工作日):\n"+
			"团队:20/60台,应达 21(符合进度) · 金额 3,200,000/10,000,000 CNY,应达 3,478,261(符合进度) · 拜访 9/66次,应达 23(落后) · 老客户拜访 1/10次,应达 3(落后) · 新客户 5/4个,应达 1(领先)\n"+
			"Rita:20/30台,应达 10(领先) · 金额 3,200,000/5,000,000 CNY,应达 1,739,130(领先) · 拜访 4/20次,应达 7(落后) · 老客户拜访 1/5次,应达 2(落后) · 新客户 3/4个,应达 1(领先)\n"+
			"张伟:0/20台,应达 7(落后) · 金额 0/3,000,000 CNY,应达 1,043,478(落后) · 拜访 5/46次,应达 16(落后) · 老客户拜访 0/5次,应达 2(落后)",
		"跟进:完成 0,逾期 2", "跟进:完成 0(另 1 个因拜访关闭),逾期 1")
	apptest.MustContain(t, h.Send(amMgr, "/week"), "拜访:7 · 异议:0", "• Rita:0/0,未完成 0,计划外 3,拜访 3\n• 张伟:0/0,未完成 0,计划外 4,拜访 4",
		"按进度的拜访:需求分析 1 · 产品演示/试用 1 · 建议书/报价 1 · 谈判 2",
		"🎯 2026年12月截至本周末(第 4/23 个工作日):\n团队:0/60台,应达 10(落后) · 金额 0/10,000,000 CNY,应达 1,739,130(落后) · 拜访 7/66次,应达 11(落后)",
		"2026年12月台数:Rita 0/30(应达 5)、张伟 0/20(应达 3)")
	apptest.MustContain(t, h.Send(amMgr, "/pipeline"), "📈 North 销售漏斗 —— 2026年12月\n在跟项目:4 个项目 · 28 台 · 2,000,000 CNY + 1,300,000\n按阶段加权:14.5 台 · 980,000 CNY + 650,000",
		"• 接触客户(10%):2 个项目 · 10 台 · 800,000 CNY + 500,000 → 1 台 · 80,000 CNY + 50,000\n• 谈判(75%):2 个项目 · 18 台 · 1,200,000 CNY + 800,000 → 13.5 台 · 900,000 CNY + 600,000",
		"• Rita:2 个项目 · 15 台 · 2,000,000 CNY → 8 台 · 980,000 CNY\n• 张伟:2 个项目 · 13 台 · 1,300,000 → 6.5 台 · 650,000",
		"• Rita:28 台 / 目标 30 台(已赢 20 + 加权 8)—— 差 2 台;金额 4,180,000 CNY / 目标 5,000,000 CNY —— 差 820,000 CNY\n"+
			"• 张伟:0.5 台 / 目标 20 台(已赢 0 + 加权 0.5)—— 差 19.5 台;金额 50,000 CNY / 目标 3,000,000 CNY —— 差 2,950,000 CNY\n"+
			"团队:28.5 台 / 目标 60 台(已赢 20 + 加权 8.5)—— 差 31.5 台;金额 4,230,000 CNY / 目标 10,000,000 CNY —— 差 5,770,000 CNY")
	apptest.MustContain(t, h.Send(amMgr, "/month"), "🗓 North —— 2026年12月(截至目前)月度回顾\n赢单:1 个项目 · 20 台 · 3,200,000 CNY\n丢单:1 个项目",
		"• Rita(赢 1,丢 0):台数 20/30(66%),进度应达 10 —— 领先 · 金额 3,200,000 CNY/5,000,000 CNY(64%),进度应达 1,739,130 CNY —— 领先 · 拜访 4/20(20%),进度应达 7 —— 落后 · 老客户拜访 1/5(20%),进度应达 2 —— 落后 · 新客户 3/4(75%),进度应达 1 —— 领先",
		"✖️ 丢单(1):\n• 华为 —— 20台 · 竞争对手(某品牌) —— “对方报价低 15%” · 张伟", "丢单原因:竞争对手 1",
		"遇到的竞争对手:Brand X(3 个项目) · 某品牌(1 个项目,其中丢给它 1 个) · Brand Y(1 个项目)",
		"📈 2026年12月漏斗:预计签约的在跟项目 3 个,20 台。预测:28.5 台 / 目标 60 台(已赢 20 + 加权 8.5)—— 差 31.5 台;金额 4,230,000 CNY / 目标 10,000,000 CNY —— 差 5,770,000 CNY。")
	got = h.Send(amMgr, "/export")
	apptest.MustContain(t, got, "North,2026-11-11 – 2026-12-10:拜访 10 次,异议 0 个,客户 6 个,跟进 8 个。")
	zf := openWorkbook(t, got[0])
	zd := rows(t, zf, "项目")
	if len(zd) != 7 || zd[4][1] != "华为" || zd[4][6] != "3,200,000.00" || zd[4][16] != "丢单" || zd[4][17] != "竞争对手" || zd[4][18] != "某品牌" || zd[4][19] != "对方报价低 15%" || zd[1][16] != "赢单" {
		t.Fatalf("项目 sheet %q", zd)
	}
	zt := rows(t, zf, "目标")
	if len(zt) != len(wantTargets) || strings.Join(zt[9][5:9], "|") != "9|23|13|落后" || zt[8][3] != "10,000,000.00" {
		t.Fatalf("目标 sheet %q", zt)
	}

	// 1 January, 09:00: December's review arrives by itself, the whole
	// month (23 of 23 working days gone: no pace any more). January's
	// pipeline is 小米's 8 units at negotiation, 6 weighted, with no
	// January targets; the three deals expected in December are overdue.
	everyone := []tgfake.User{amMgr, amRita, amZhang}
	before := map[int64]int{}
	for _, u := range everyone {
		before[u.ID] = len(monthReviews(h, u)) // the /month asked for above
	}
	h.Clock.Set(utcAt("2027-01-01", "09:00"))
	sendDue(t, h)
	review := map[int64][]tgfake.Sent{}
	for _, u := range everyone {
		got := monthReviews(h, u)[before[u.ID]:]
		if len(got) != 1 {
			t.Fatalf("%s got %d reviews: %q", u.FirstName, len(got), apptest.Texts(got))
		}
		review[u.ID] = got
	}
	wantText(t, "Rita's review of December", review[amRita.ID][0].Text, "🗓 Your Dec 2026 in North\n"+
		"Won: 1 deal · 20 units · 3,200,000 CNY\nLost: 0 deals\n\n"+
		"Against targets:\n• Rita (won 1, lost 0): units 20/30 (66%) · value 3,200,000 CNY/5,000,000 CNY (64%) · visits 4/20 (20%) · visits to existing clients 1/5 (20%) · new clients 3/4 (75%)\n\n"+
		"🏆 Won (1):\n• Acme — 20 trucks · 3,200,000 CNY\n\n"+
		"Competitors met: Brand X (2 deals) · Brand Y (1 deal)\n\n"+
		"📈 Pipeline for Jan 2027: 0 open deals expected to close, 0 units. Forecast: 0 units (won 0 + weighted 0). More: /pipeline")
	apptest.MustContain(t, review[amMgr.ID], "🗓 North —— 2026年12月月度回顾\n赢单:1 个项目 · 20 台 · 3,200,000 CNY\n丢单:1 个项目",
		"• Rita(赢 1,丢 0):台数 20/30(66%) · 金额 3,200,000 CNY/5,000,000 CNY(64%) · 拜访 4/20(20%) · 老客户拜访 1/5(20%) · 新客户 3/4(75%)\n"+
			"• 张伟(赢 0,丢 1):台数 0/20(0%) · 金额 0 CNY/3,000,000 CNY(0%) · 拜访 5/46(10%) · 老客户拜访 0/5(0%)",
		"遇到的竞争对手:Brand X(3 个项目) · 某品牌(1 个项目,其中丢给它 1 个) · Brand Y(1 个项目)",
		"📈 2027年1月漏斗:预计签约的在跟项目 1 个,8 台。预测:6 台(已赢 0 + 加权 6);金额 600,000。")
	apptest.MustContain(t, review[amZhang.ID], "🗓 你在 North 的2026年12月\n赢单:0 个项目 · 0 台\n丢单:1 个项目",
		"📈 2027年1月漏斗:预计签约的在跟项目 1 个,8 台。预测:6 台(已赢 0 + 加权 6)")
	apptest.MustContain(t, h.Send(amMgr, "/pipeline"), "在跟项目:4 个项目 · 28 台 · 2,000,000 CNY + 1,300,000", "⚠️ 3 ")
}
