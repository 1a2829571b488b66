package bot

import (
	"salesbot/internal/quick"
	"salesbot/internal/storage"
	"salesbot/models"
)

// Catalogue keys that depend on a value (a stage's label, a role's name, a
// sheet's headers) come from these tables instead of being put together
// where they are used, so that every key code can ask for is listed here and
// TestCatalogueHasEveryKeyCodeAsksFor checks each in every language. A table
// is built from the owner's list of all values (models.Stages, ...), so a
// new value without words fails that test.
type keyTable[T ~string] struct {
	keys map[T]string
}

// tableKeys collects every table's keys for the catalogue test.
var tableKeys []string

// keysFor makes prefix+value the key of each value.
func keysFor[T ~string](prefix string, values ...T) keyTable[T] {
	t := keyTable[T]{keys: make(map[T]string, len(values))}
	for _, v := range values {
		t.keys[v] = prefix + string(v)
		tableKeys = append(tableKeys, prefix+string(v))
	}
	return t
}

// keysOf is a table written out.
func keysOf[T ~string](keys map[T]string) keyTable[T] {
	for _, k := range keys {
		tableKeys = append(tableKeys, k)
	}
	return keyTable[T]{keys: keys}
}

// with gives v a key of its own (the empty value's "none" label).
func (t keyTable[T]) with(v T, key string) keyTable[T] {
	t.keys[v] = key
	tableKeys = append(tableKeys, key)
	return t
}

// key is v's catalogue key; ok is false for a value the table does not
// know (stored by a newer version, say), which callers show as it is.
func (t keyTable[T]) key(v T) (string, bool) {
	k, ok := t.keys[v]
	return k, ok
}

// label renders v in lang: its catalogue text, or v itself when unknown.
func (t keyTable[T]) label(c *Catalogue, lang string, v T) string {
	if k, ok := t.keys[v]; ok {
		return c.T(lang, k, nil)
	}
	return string(v)
}

// stringLabel is label for a value held as a plain string (export cells).
func (t keyTable[T]) stringLabel(c *Catalogue, lang, v string) string { return t.label(c, lang, T(v)) }

var (
	stageKeys    = keysFor("stage_", append(append([]models.Stage{}, models.Stages...), models.StageLost)...).with(models.StageNone, "stage_none")
	attitudeKeys = keysFor("attitude_", models.Attitudes...)
	methodKeys   = keysFor("method_", models.Methods...)
	gradeKeys    = keysFor("grade_", models.Grades...).with(models.GradeNone, "grade_none")
	categoryKeys = keysFor("objcat_", models.ObjectionCategories...)
	dRoleKeys    = keysFor("drole_", models.DecisionRoles...)
	// roleKeys name a member's role (rep, manager, admin; none is a visitor).
	roleKeys = keysFor("role_", models.Roles...).with(models.RoleNone, "role_none")
	// closedStateKeys say how a follow-up was closed (done, cancelled).
	closedStateKeys = keysFor("followup_state_", models.ClosedFollowUpStates()...)
	// memberEventKeys are the lines of /team history, by membership change.
	memberEventKeys = keysFor("team_history_", storage.EventJoin, storage.EventRejoin, storage.EventRole, storage.EventDeactivate, storage.EventReassign)
	attachmentKeys  = keysFor("attachment_", models.AttachmentKinds...)
	// readNoteKeys say why a part was kept as a note.
	readNoteKeys = keysFor("read_note_", quick.NoteReasons...)
	// formTitleKeys name a form, by kind, in questions about it.
	formTitleKeys = keysFor("form_title_", "visit", "client", "contact", "objection", "resolve", "plan", "deal", "referrals")
	// needClientKeys ask for the client a quick entry did not name, by form.
	needClientKeys = keysOf(map[string]string{"visit": "visit_need_client", "objection": "objection_need_client", "deal": "deal_need_client"})

	// Reports and exports use their own shorter labels.
	reportStageKeys    = keysFor("rpt_stage_", append(append([]models.Stage{}, models.Stages...), models.StageLost, models.StageNone)...)
	reportAttitudeKeys = keysFor("rpt_att_", models.Attitudes...)
	reportMethodKeys   = keysFor("rpt_method_", models.Methods...)
	reportCategoryKeys = keysFor("rpt_obj_", models.ObjectionCategories...)
	reportFUKindKeys   = keysFor("rpt_fukind_", models.FollowUpKinds...)
	reportFUStateKeys  = keysFor("rpt_fustate_", models.FollowUpStates...)

	// The export's sheets (reports.Export.Sheets): names and headers.
	exportSheetKeys  = keysFor("export_sheet_", exportSheetIDs...)
	exportHeaderKeys = keysFor("export_h_", "followups", "deals", "targets")
	// exportDealStateKeys are a deal's state in words (the card uses marks).
	exportDealStateKeys = keysFor("rpt_dstate_", models.DealOpen, models.DealWon, models.DealLost)
)

var exportSheetIDs = []string{"visits", "objections", "clients", "followups", "deals", "targets"}
