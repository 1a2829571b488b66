package bot

import (
	"testing"

	"salesbot/models"
)

// Keys built from field names (field_visit_place, visit_q_place, ...) exist
// in every language, so a new field cannot ship without words.
func TestCatalogueHasDomainLabels(t *testing.T) {
	c, err := NewCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	// Labels of values (stages, roles, ...) are checked through keys.go's
	// tables by TestCatalogueHasEveryKeyCodeAsksFor.
	// Every field errors and readings name has a noun in every language:
	// its own field_<name>, or its label as running text.
	for _, lang := range c.Languages() {
		r := &Request{cat: c, Lang: lang}
		for _, f := range []models.Field{models.FieldClientName, models.FieldIndustry, models.FieldAddress, models.FieldSize,
			models.FieldSource, models.FieldNotes, models.FieldContactName, models.FieldTitle, models.FieldPhone, models.FieldPlace,
			models.FieldTalkingPoints, models.FieldClientView, models.FieldNextStep, models.FieldWords, models.FieldAnswer, models.FieldCaption} {
			if n := r.fieldNoun(f); n == "" || n == nounKey(f) {
				t.Errorf("%s: no noun for field %q", lang, f)
			}
		}
	}
	var keys []string
	for _, f := range editSteps(models.VisitFields) {
		keys = append(keys, "field_visit_"+f, "visit_q_"+f)
	}
	for _, f := range editSteps(models.ClientFields) {
		keys = append(keys, "field_client_"+f, "client_q_"+f)
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
