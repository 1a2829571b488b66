package bot

import (
	"testing"

	"salesbot/internal/quick"
	"salesbot/models"
)

// Keys built from domain values (stage_demo, read_note_twice, ...) exist in
// every language, so a new stage or field cannot ship without words.
func TestCatalogueHasDomainLabels(t *testing.T) {
	c, err := NewCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, s := range append(append([]models.Stage{}, models.Stages...), models.StageLost, models.StageNone) {
		if s == models.StageNone {
			keys = append(keys, "stage_none")
			continue
		}
		keys = append(keys, "stage_"+string(s))
	}
	for _, a := range models.Attitudes {
		keys = append(keys, "attitude_"+string(a))
	}
	for _, m := range models.Methods {
		keys = append(keys, "method_"+string(m))
	}
	for _, r := range models.DecisionRoles {
		keys = append(keys, "drole_"+string(r))
	}
	for _, g := range models.Grades {
		keys = append(keys, "grade_"+string(g))
	}
	for _, o := range models.ObjectionCategories {
		keys = append(keys, "objcat_"+string(o))
	}
	for _, f := range []models.Field{models.FieldClientName, models.FieldIndustry, models.FieldAddress, models.FieldSize,
		models.FieldSource, models.FieldNotes, models.FieldContactName, models.FieldTitle, models.FieldPhone, models.FieldPlace,
		models.FieldTalkingPoints, models.FieldClientView, models.FieldNextStep, models.FieldWords, models.FieldAnswer, models.FieldCaption} {
		keys = append(keys, "field_"+string(f))
	}
	for _, f := range editSteps(models.VisitFields) {
		keys = append(keys, "field_visit_"+f, "visit_q_"+f)
	}
	for _, f := range editSteps(models.ClientFields) {
		keys = append(keys, "field_client_"+f, "client_q_"+f)
	}
	for _, r := range []string{quick.ReasonUnknown, quick.ReasonTwice, quick.ReasonNoDate, quick.ReasonBadRole, quick.ReasonBadItem, "note"} {
		keys = append(keys, "read_note_"+r)
	}
	for _, a := range []string{models.AttachPhoto, models.AttachVoice, models.AttachDocument, models.AttachVideo} {
		keys = append(keys, "attachment_"+a)
	}
	keys = append(keys, "objection_q_words", "objection_q_answer")
	for _, lang := range c.Languages() {
		for _, k := range keys {
			if !c.Has(lang, k) {
				t.Errorf("%s: missing %q", lang, k)
			}
		}
	}
}
