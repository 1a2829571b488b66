package models

import (
	"reflect"
	"testing"
)

func TestFold(t *testing.T) {
	cases := map[string]string{
		"ACME Corp.":     "acmecorp",
		"  acme   corp ": "acmecorp",
		"Ａｃｍｅ　Ｃｏｒｐ":      "acmecorp", // full width letters and space
		"Acme-Corp":      "acmecorp",
		"华为（中国）":         "华为中国",
		"华为 中国":          "华为中国",
		"O'Brien & Sons": "obriensons",
		"３Ｍ":             "3m",
		"":               "",
		"!!!":            "",
	}
	for in, want := range cases {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseLabels(t *testing.T) {
	stages := map[string]Stage{
		"demo": StageDemo, "Demo / Trial": StageDemo, "试用": StageDemo, "产品演示/试用": StageDemo,
		"quote": StageProposal, "报价": StageProposal, "建议书": StageProposal,
		"Needs Analysis": StageNeeds, "需求分析": StageNeeds, "first contact": StageContact, "接触客户": StageContact,
		"产品说明": StagePresentation, "pitch": StagePresentation, "谈判": StageNegotiation,
		"signed": StageContract, "缔约": StageContract, "lost": StageLost, "流失": StageLost, "ＤＥＭＯ": StageDemo,
	}
	for in, want := range stages {
		if got, ok := ParseStage(in); !ok || got != want {
			t.Errorf("ParseStage(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	attitudes := map[string]Attitude{"warm": AttitudeWarm, "热心": AttitudeWarm, "一般": AttitudeNeutral, "Neutral": AttitudeNeutral, "冷淡": AttitudeCold, "not interested": AttitudeCold}
	for in, want := range attitudes {
		if got, ok := ParseAttitude(in); !ok || got != want {
			t.Errorf("ParseAttitude(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	methods := map[string]Method{"phone": MethodPhone, "电话": MethodPhone, "In person": MethodInPerson, "面谈": MethodInPerson,
		"e-mail": MethodEmail, "微信": MethodWeChat, "wechat": MethodWeChat, "letter": MethodMessage, "展会": MethodEvent, "exhibition": MethodEvent}
	for in, want := range methods {
		if got, ok := ParseMethod(in); !ok || got != want {
			t.Errorf("ParseMethod(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	roles := map[string]DecisionRole{"buyer": RoleBuyer, "采购": RoleBuyer, "decision maker": RoleDecisionMaker, "Decision-Maker": RoleDecisionMaker,
		"决策者": RoleDecisionMaker, "gatekeeper": RoleGatekeeper, "看门者": RoleGatekeeper, "使用者": RoleUser, "影响者": RoleInfluencer}
	for in, want := range roles {
		if got, ok := ParseDecisionRole(in); !ok || got != want {
			t.Errorf("ParseDecisionRole(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	cats := map[string]ObjectionCategory{"busy": ObjBusy, "没时间": ObjBusy, "current supplier": ObjHappy, "供货商": ObjHappy,
		"no budget": ObjNoBudget, "明年": ObjNoBudget, "price": ObjPrice, "太贵": ObjPrice, "technical": ObjFit,
		"needs approval": ObjAuthority, "审批": ObjAuthority, "competitor": ObjCompetitor, "竞品": ObjCompetitor,
		"risk": ObjTrust, "信任": ObjTrust, "other": ObjOther, "其他": ObjOther}
	for in, want := range cats {
		if got, ok := ParseObjectionCategory(in); !ok || got != want {
			t.Errorf("ParseObjectionCategory(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	grades := map[string]Grade{"a": GradeA, "B": GradeB, "c级": GradeC, "Ｄ": GradeD, "重点客户": GradeA}
	for in, want := range grades {
		if got, ok := ParseGrade(in); !ok || got != want {
			t.Errorf("ParseGrade(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "demox", "E", "hello", "  "} {
		if _, ok := ParseStage(bad); ok {
			t.Errorf("ParseStage(%q) accepted", bad)
		}
		if _, ok := ParseGrade(bad); ok {
			t.Errorf("ParseGrade(%q) accepted", bad)
		}
	}
}

// A word must mean one thing among the parts of a quick visit, or the
// parser would read it by luck of the order.
func TestVisitKeywordsDoNotOverlap(t *testing.T) {
	for w := range stageWords {
		if _, ok := attitudeWords[w]; ok {
			t.Errorf("%q is a stage and an attitude", w)
		}
		if _, ok := methodWords[w]; ok {
			t.Errorf("%q is a stage and a method", w)
		}
	}
	for w := range attitudeWords {
		if _, ok := methodWords[w]; ok {
			t.Errorf("%q is an attitude and a method", w)
		}
	}
}

func TestParseDecisionRoles(t *testing.T) {
	cases := map[string][]DecisionRole{
		"buyer":              {RoleBuyer},
		"buyer, user":        {RoleBuyer, RoleUser},
		"user and buyer":     {RoleBuyer, RoleUser}, // in the catalogue's order
		"采购、使用者":             {RoleBuyer, RoleUser},
		"决策者/影响者":            {RoleDecisionMaker, RoleInfluencer},
		"buyer, buyer":       {RoleBuyer},
		"gatekeeper & buyer": {RoleGatekeeper, RoleBuyer},
	}
	for in, want := range cases {
		got, ok := ParseDecisionRoles(in)
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseDecisionRoles(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "buyer, chef", "manager"} {
		if got, ok := ParseDecisionRoles(bad); ok {
			t.Errorf("ParseDecisionRoles(%q) = %v, want refusal", bad, got)
		}
	}
}
