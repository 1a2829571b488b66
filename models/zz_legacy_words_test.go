package models

var (
	legacyStage = map[Stage][]string{
		StageContact: {"contact", "first contact", "initial contact", "intro", "introduction", "first meeting",
			"接触", "接触客户", "初次接触", "初步接触", "初访", "首次拜访"},
		StageNeeds: {"needs", "needs analysis", "need analysis", "needs assessment", "discovery", "requirements",
			"需求", "需求分析", "需求调研", "需求了解"},
		StagePresentation: {"presentation", "product presentation", "pitch", "presented", "product intro",
			"产品说明", "说明", "产品介绍", "介绍", "讲解", "方案介绍"},
		StageDemo: {"demo", "demonstration", "trial", "pilot", "poc", "demo/trial", "demo and trial",
			"演示", "产品演示", "试用", "产品试用", "演示/试用", "产品演示/试用", "试点"},
		StageProposal: {"proposal", "quote", "quotation", "offer", "proposal/quote", "quoted", "tender",
			"建议书", "报价", "方案", "建议书/报价", "报价单", "投标"},
		StageNegotiation: {"negotiation", "negotiating", "negotiate", "negotiations",
			"谈判", "商务谈判", "议价", "商务洽谈"},
		StageContract: {"contract", "signed", "closed won", "won", "deal", "deal won", "contract signed",
			"缔约", "签约", "签合同", "成交", "已签约", "赢单"},
		StageLost: {"lost", "closed lost", "dead", "lost deal", "deal lost",
			"流失", "丢单", "丢失", "输单", "失败", "客户流失"},
	}
	legacyAttitude = map[Attitude][]string{
		AttitudeWarm:    {"warm", "hot", "positive", "interested", "keen", "friendly", "enthusiastic", "热心", "热情", "积极", "感兴趣", "热", "很热情"},
		AttitudeNeutral: {"neutral", "ok", "okay", "so so", "lukewarm", "meh", "mixed", "一般", "中立", "还行", "中性", "不冷不热"},
		AttitudeCold:    {"cold", "negative", "uninterested", "not interested", "frosty", "hostile", "冷淡", "冷漠", "消极", "冷", "不感兴趣", "没兴趣"},
	}
	legacyMethod = map[Method][]string{
		MethodInPerson: {"in person", "visit", "visited", "meeting", "face to face", "f2f", "on site", "onsite",
			"面谈", "面访", "拜访", "上门", "见面", "当面", "上门拜访", "登门"},
		MethodPhone: {"phone", "call", "phone call", "called", "tel", "telephone", "video call",
			"电话", "打电话", "通话", "电话沟通", "视频", "视频会议"},
		MethodEmail:  {"email", "mail", "emailed", "邮件", "电邮", "电子邮件", "发邮件"},
		MethodWeChat: {"wechat", "weixin", "we chat", "wechat call", "微信", "微信沟通", "微信聊", "微信电话"},
		MethodMessage: {"message", "letter", "chat", "sms", "text message", "im", "whatsapp",
			"信", "信函", "短信", "消息", "留言", "写信"},
		MethodEvent: {"event", "exhibition", "trade show", "fair", "conference", "expo", "seminar",
			"展会", "展览", "会议", "活动", "研讨会", "展览会", "交流会"},
	}
	legacyRole = map[DecisionRole][]string{
		RoleGatekeeper: {"gatekeeper", "gk", "receptionist", "assistant", "secretary",
			"看门者", "看门人", "前台", "秘书", "助理"},
		RoleBuyer: {"buyer", "purchaser", "purchasing", "procurement",
			"采购者", "采购", "采购员", "采购人"},
		RoleUser: {"user", "end user", "使用者", "用户", "使用人", "使用部门"},
		RoleDecisionMaker: {"decision maker", "dm", "decider", "boss",
			"决策者", "决策人", "拍板人", "老板", "决策"},
		RoleInfluencer: {"influencer", "influence", "advisor", "adviser", "champion",
			"影响者", "影响人", "顾问"},
	}
	legacyObjection = map[ObjectionCategory][]string{
		ObjBusy: {"busy", "no time", "too busy", "忙", "很忙", "没时间", "没空", "太忙"},
		ObjHappy: {"happy", "happy with supplier", "happy with current supplier", "current supplier", "supplier", "satisfied",
			"满意", "现有供应商", "供应商", "供货商", "合作愉快", "已有供应商", "有供应商"},
		ObjNoBudget: {"no budget", "budget", "not buying", "not buying yet", "next year", "no money",
			"没预算", "预算", "不打算买", "明年", "暂不采购", "没有预算", "不买"},
		ObjPrice: {"price", "too expensive", "expensive", "cost", "pricing",
			"价格", "太贵", "贵", "价钱", "价格高"},
		ObjFit: {"fit", "product fit", "technical", "tech", "product", "features", "not a fit",
			"不适合", "技术", "产品", "功能", "技术问题", "产品不合适"},
		ObjAuthority: {"authority", "approval", "needs approval", "need approval", "not my decision", "boss decides",
			"审批", "批准", "需要审批", "领导", "权限", "领导决定", "做不了主"},
		ObjCompetitor: {"competitor", "competition", "competitor offer", "rival",
			"竞争对手", "竞品", "对手", "竞争"},
		ObjTrust: {"trust", "risk", "trust/risk", "risky", "信任", "风险", "不信任", "不放心"},
		ObjOther: {"other", "misc", "其他", "其它"},
	}
	legacyGrade = map[Grade][]string{
		GradeA: {"A", "a级", "A类", "key", "key client", "重点", "重点客户"},
		GradeB: {"B", "b级", "B类", "possible", "possible client", "可能", "可能客户"},
		GradeC: {"C", "c级", "C类", "ordinary", "ordinary client", "普通客户"},
		GradeD: {"D", "d级", "D类", "low", "low priority", "忽略", "忽略客户"},
	}
	legacyStep = map[ProcurementStep][]string{
		StepInternalNeed: {"internal need", "need", "内部需求", "需求"},
		StepProjectSetUp: {"project set up", "project setup", "set up", "立项", "确立项目"},
		StepInformation:  {"information gathering", "information", "info", "收集信息", "信息收集"},
		StepScreening:    {"technical screening", "screening", "技术筛选", "筛选"},
		StepEvaluation:   {"evaluation", "project evaluation", "项目评估", "评估"},
		StepDecision:     {"final decision", "decision", "最终决策", "决策"},
		StepDelivery:     {"delivery and service", "delivery", "service", "后续服务", "交付"},
	}
	legacyLost = map[LostReason][]string{
		LostPrice:      {"price", "too expensive", "expensive", "价格", "太贵", "贵"},
		LostFit:        {"product fit", "fit", "product", "technical", "产品", "不适合", "技术"},
		LostCompetitor: {"competitor", "competition", "竞争对手", "竞品", "对手"},
		LostNoBudget:   {"no budget", "budget", "没预算", "预算", "没有预算"},
		LostTiming:     {"timing", "postponed", "delayed", "later", "推迟", "延期", "时机"},
		LostRelation:   {"relationship", "relation", "关系", "客情"},
		LostContact:    {"lost contact", "no contact", "unreachable", "失联", "联系不上"},
		LostOther:      {"other", "其他", "其它"},
	}
	legacyMetric = map[TargetMetric][]string{
		MetricUnits:          {"units", "unit", "qty", "quantity", "台数", "数量"},
		MetricValue:          {"value", "amount", "revenue", "sales", "金额", "销售额", "业绩"},
		MetricVisits:         {"visits", "visit", "拜访", "拜访量", "访问"},
		MetricExistingVisits: {"existing", "existing visits", "existing clients", "old clients", "老客户", "老客户拜访", "回访"},
		MetricNewClients:     {"new", "new clients", "new client", "clients", "新客户", "新增客户", "开发"},
	}
)
