package quick

import (
	"maps"
	"slices"
	"testing"
	"time"

	"salesbot/models"
)

func TestQuickWordsEqualLegacy(t *testing.T) {
	lists := map[string][2][]string{
		"close":      {closeWords, {"expected close", "close by", "closing", "close", "签约", "成交", "预计", "签单", "签"}},
		"competitor": {competitorWords, {"competitors", "competitor", "vs.", "vs", "versus", "竞争对手", "竞品", "对手"}},
		"budget":     {budgetWords, {"budget", "预算"}},
		"product":    {productWords, {"product", "model", "产品", "型号"}},
		"next":       {nextWords, {"next step", "next", "下一步"}},
		"step":       {stepWords, {"procurement", "step", "采购阶段", "客户阶段"}},
		"stage":      {stageWords, {"stage", "阶段", "进度"}},
		"title":      {titleWords, {"title", "名称", "项目"}},
		"won":        {wonWords, {"won", "win", "赢单", "成交了", "赢了"}},
		"lost":       {lostWords, {"lost", "lose", "丢单", "输单", "丢了"}},
		"cprod":      {competitorProductWords, {"product", "model", "uses", "using", "产品", "型号", "在用"}},
		"crep":       {competitorRepWords, {"rep", "sales rep", "salesman", "their rep", "销售", "代表", "业务员"}},
		"csat":       {satisfactionWords, {"satisfaction", "satisfied", "满意度"}},
		"terms": {satisfactionTerms, {"happy", "unhappy", "satisfied", "unsatisfied", "dissatisfied", "ok", "okay", "neutral", "mixed",
			"very happy", "not happy", "angry", "loyal", "满意", "不满意", "很满意", "一般", "还行", "不满", "抱怨", "忠诚"}},
		"team":    {teamWords, {"team", "团队", "全队", "全组", "整个团队"}},
		"clear":   {clearWords, {"off", "none", "clear", "default", "清除", "取消", "关", "默认"}},
		"contact": {contactLeads, {"met with ", "met ", "meet ", "saw ", "with ", "spoke to ", "spoke with ", "见了", "见到", "会见了", "会见", "拜访了", "约见了"}},
		"revisit": {revisitLeads, {"revisit", "next visit", "follow up", "follow-up", "followup", "复访", "回访", "下次拜访", "再访", "下次见"}},
		"approvedAmount": {budgetApprovedWords, {"approved", "已批"}},
		"min":     {minuteWords, {"m", "min", "mins", "minute", "minutes", "分钟", "分"}},
		"hour":    {hourWords, {"h", "hr", "hrs", "hour", "hours", "小时", "个小时", "钟头"}},
		"half":    {halfHourWords, {"half an hour", "half hour", "半小时"}},
	}
	for name, l := range lists {
		if !slices.Equal(l[0], l[1]) {
			t.Errorf("%s: %q, legacy %q", name, l[0], l[1])
		}
	}
	u := slices.Clone(unitWords)
	slices.Sort(u)
	lu := []string{"台", "辆", "套", "个", "件", "部", "只", "架", "条", "组", "批", "pcs", "pc", "units", "unit"}
	slices.Sort(lu)
	if !slices.Equal(u, lu) {
		t.Errorf("units %q", u)
	}
	fold := func(ws ...string) map[string]bool {
		m := map[string]bool{}
		for _, w := range ws {
			m[models.Fold(w)] = true
		}
		return m
	}
	sets := map[string][2]map[string]bool{
		"budgetNone":     {budgetNone, fold("nobudget", "没预算", "没有预算", "无预算")},
		"budgetApproved": {budgetApproved, fold("budgetapproved", "预算已批", "预算已批准", "已批预算")},
		"bsApproved":     {budgetStatusApprove, fold("approved", "已批", "已批准", "批了")},
		"bsNone":         {budgetStatusNone, fold("none", "no", "没有", "无")},
		"bsKnown":        {budgetStatusKnown, fold("known", "有")},
		"noFollowUp": {noFollowUp, fold("no revisit", "no follow up", "no followup", "no next visit", "no follow-up needed",
			"不复访", "无需复访", "不用复访", "不回访", "无需回访", "不用回访", "不需要回访", "不需要复访")},
		"none": {noneRevisit, fold("none", "no", "无", "不")},
	}
	for name, s := range sets {
		if !maps.Equal(s[0], s[1]) {
			t.Errorf("%s: %v, legacy %v", name, s[0], s[1])
		}
	}
	if !maps.Equal(currencyWords, map[string]string{
		"cny": "CNY", "rmb": "CNY", "元": "CNY", "¥": "CNY", "人民币": "CNY", "块": "CNY",
		"usd": "USD", "$": "USD", "us$": "USD", "美元": "USD", "美金": "USD",
		"eur": "EUR", "€": "EUR", "欧元": "EUR",
	}) {
		t.Errorf("currency %v", currencyWords)
	}
	if !maps.Equal(multipliers, map[string]int{
		"k": 3, "千": 3, "m": 6, "mn": 6, "million": 6, "百万": 6, "bn": 9, "b": 9, "billion": 9,
		"万": 4, "亿": 8, "万亿": 12,
	}) {
		t.Errorf("multipliers %v", multipliers)
	}
	if !maps.Equal(quantityMultipliers, map[string]int{"万": 4, "千": 3, "k": 3}) {
		t.Errorf("qm %v", quantityMultipliers)
	}
	if !maps.Equal(monthNames, map[string]time.Month{
		"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
		"jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
		"oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
	}) {
		t.Errorf("months %v", monthNames)
	}
}
