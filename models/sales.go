package models

import "time"

// Grade is a client's grade (客户分级).
type Grade string

// Grades, from key clients to low priority.
const (
	GradeNone Grade = ""
	GradeA    Grade = "A" // key client: good relationship, large potential (重点客户)
	GradeB    Grade = "B" // possible client: ordinary relationship, large potential (可能客户)
	GradeC    Grade = "C" // ordinary client: good relationship, small potential (普通客户)
	GradeD    Grade = "D" // low priority: ordinary relationship, small potential (忽略客户)
)

// Grades lists the grades in order.
var Grades = []Grade{GradeA, GradeB, GradeC, GradeD}

// Stage is how far a client has come in the sales process (业务进度).
type Stage string

// Stages in order; StageLost stands outside the order.
const (
	StageNone         Stage = ""
	StageContact      Stage = "contact"      // 接触客户
	StageNeeds        Stage = "needs"        // 需求分析
	StagePresentation Stage = "presentation" // 产品说明
	StageDemo         Stage = "demo"         // 产品演示/试用
	StageProposal     Stage = "proposal"     // 建议书/报价
	StageNegotiation  Stage = "negotiation"  // 谈判
	StageContract     Stage = "contract"     // 缔约
	StageLost         Stage = "lost"         // 流失
)

// Stages lists the ordered stages (not lost).
var Stages = []Stage{StageContact, StageNeeds, StagePresentation, StageDemo, StageProposal, StageNegotiation, StageContract}

// Attitude is the client's attitude at a visit (客户态度).
type Attitude string

// Attitudes.
const (
	AttitudeNone    Attitude = ""
	AttitudeWarm    Attitude = "warm"    // 热心
	AttitudeNeutral Attitude = "neutral" // 一般
	AttitudeCold    Attitude = "cold"    // 冷淡
)

// Attitudes lists the attitudes.
var Attitudes = []Attitude{AttitudeWarm, AttitudeNeutral, AttitudeCold}

// Method is how a visit happened.
type Method string

// Methods.
const (
	MethodNone     Method = ""
	MethodInPerson Method = "in_person"
	MethodPhone    Method = "phone"
	MethodEmail    Method = "email"
	MethodWeChat   Method = "wechat"  // WeChat (微信): how most Chinese clients are reached, so its own method
	MethodMessage  Method = "message" // letter or another message
	MethodEvent    Method = "event"   // event or exhibition
)

// Methods lists the methods.
var Methods = []Method{MethodInPerson, MethodPhone, MethodEmail, MethodWeChat, MethodMessage, MethodEvent}

// DecisionRole is a contact's role in the decision group (决策群体).
type DecisionRole string

// Decision roles.
const (
	RoleGatekeeper    DecisionRole = "gatekeeper"     // 看门者
	RoleBuyer         DecisionRole = "buyer"          // 采购者
	RoleUser          DecisionRole = "user"           // 使用者
	RoleDecisionMaker DecisionRole = "decision_maker" // 决策者
	RoleInfluencer    DecisionRole = "influencer"     // 影响者
)

// DecisionRoles lists the decision roles.
var DecisionRoles = []DecisionRole{RoleGatekeeper, RoleBuyer, RoleUser, RoleDecisionMaker, RoleInfluencer}

// ObjectionCategory classifies an objection (异议).
type ObjectionCategory string

// Objection categories.
const (
	ObjBusy       ObjectionCategory = "busy"       // 对不起,我现在很忙
	ObjHappy      ObjectionCategory = "happy"      // 我和现在的供货商合作得很愉快
	ObjNoBudget   ObjectionCategory = "no_budget"  // 明年之前不打算买
	ObjPrice      ObjectionCategory = "price"      // price
	ObjFit        ObjectionCategory = "fit"        // product fit / technical
	ObjAuthority  ObjectionCategory = "authority"  // needs approval
	ObjCompetitor ObjectionCategory = "competitor" // competitor offer
	ObjTrust      ObjectionCategory = "trust"      // trust / risk
	ObjOther      ObjectionCategory = "other"
)

// ObjectionCategories lists the categories.
var ObjectionCategories = []ObjectionCategory{ObjBusy, ObjHappy, ObjNoBudget, ObjPrice, ObjFit, ObjAuthority, ObjCompetitor, ObjTrust, ObjOther}

// Client is a client card (客户档案).
type Client struct {
	ID       int64
	TeamID   int64
	Name     string
	Industry string
	Address  string
	Size     string
	Source   string
	OwnerID  int64 // the rep who owns the client
	Grade    Grade
	Stage    Stage
	Notes    string
	// GradeAsked records that the rep was asked for the grade once.
	GradeAsked bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
	// LastVisitAt is the newest visit's time (zero: never visited).
	LastVisitAt time.Time
	// NoProgressVisits counts the visits since the stage last moved (by a
	// visit, or set on the card): the three-visits rule reads it.
	NoProgressVisits int
}

// Contact is a person at a client.
type Contact struct {
	ID       int64
	ClientID int64
	Name     string
	Title    string
	Phone    string
	Roles    []DecisionRole
}

// Visit is a visit record (目标客户访问记录表).
type Visit struct {
	ID       int64
	TeamID   int64
	ClientID int64
	RepID    int64
	At       time.Time
	Method   Method
	// Contacts met (stored apart, in visit_contacts).
	ContactIDs []int64 `gorm:"-"`
	Place      string
	Lat, Lon   *float64
	// LiveLocation is set when the place came from a live location.
	LiveLocation  bool
	DurationMin   int
	TalkingPoints string
	ClientView    string
	// StageBefore is the client's stage before this visit; Stage the stage
	// reached (StageNone: not stated, the client's stage stays).
	StageBefore Stage
	Stage       Stage
	Attitude    Attitude
	NextStep    string
	// NextVisitAt is the agreed next visit; nil with NoFollowUp false means
	// the team's revisit interval applies.
	NextVisitAt *time.Time
	NoFollowUp  bool
	Notes       string
	CreatedAt   time.Time
	// ClientCreated is set when logging this visit created its client,
	// so undoing it can take the client back too.
	ClientCreated bool
	// DealID is the client's deal the visit was for (0: none); the visit's
	// stage advances that deal's stage.
	DealID int64
}

// Attachment is a file or check-in attached to a visit (Telegram file ids;
// nothing is downloaded).
type Attachment struct {
	ID       int64
	VisitID  int64
	Kind     string // photo, voice, document, video
	FileID   string
	FileName string
	Caption  string
}

// Objection is a client's objection and the rep's answer.
type Objection struct {
	ID       int64
	TeamID   int64
	ClientID int64
	RepID    int64
	VisitID  int64 // 0: not linked to a visit
	At       time.Time
	Category ObjectionCategory
	Words    string // the client's words
	Answer   string // the answer the rep gave
	Resolved bool
	// WorkedAnswer is the answer that resolved it.
	WorkedAnswer string
	ResolvedAt   *time.Time
	CreatedAt    time.Time
	// ClientCreated is set when logging this objection created its client.
	ClientCreated bool
}

// PlannedVisit is one line of a rep's weekly plan (访销计划).
type PlannedVisit struct {
	ID       int64
	TeamID   int64
	RepID    int64
	ClientID int64
	// WeekStart is the Monday of the plan's week and Day the planned day,
	// both as civil dates (YYYY-MM-DD) in the team's zone.
	WeekStart string
	Day       string
	Purpose   string
	CreatedAt time.Time

	// ClientName is filled by the queries that list plans for reports (not
	// a column of planned_visits).
	ClientName string `gorm:"-"`
}
