package bot_test

import (
	"testing"

	"salesbot/internal/apptest"
)

// Issue 11's form, plan and contact changes on PostgreSQL.
func TestFormsIssue11OnPostgres(t *testing.T) {
	t.Run("ImpossibleTimeRefused", func(t *testing.T) { testImpossibleTimeRefused(t, salesTeam(t, apptest.Postgres(t))) })
	t.Run("ImpossibleTimeRefusedChinese", func(t *testing.T) { testImpossibleTimeRefusedChinese(t, salesTeam(t, apptest.Postgres(t))) })
	t.Run("ContactEditAndDeleteFromCard", func(t *testing.T) { testContactEditAndDeleteFromCard(t, salesTeam(t, apptest.Postgres(t))) })
	t.Run("ContactEditAndDeleteFromCardChinese", func(t *testing.T) { testContactEditAndDeleteFromCardChinese(t, salesTeam(t, apptest.Postgres(t))) })
	t.Run("PlannedVisitMovedAndRemoved", func(t *testing.T) { testPlannedVisitMovedAndRemoved(t, salesTeam(t, apptest.Postgres(t))) })
	t.Run("PlanItemTwiceAsks", func(t *testing.T) { testPlanItemTwiceAsks(t, salesTeam(t, apptest.Postgres(t))) })
	t.Run("PlanChangeChinese", func(t *testing.T) { testPlanChangeChinese(t, salesTeam(t, apptest.Postgres(t))) })
	t.Run("ObjectionFormSave", func(t *testing.T) { testObjectionFormSave(t, salesTeam(t, apptest.Postgres(t))) })
	t.Run("ObjectionFormSaveChinese", func(t *testing.T) { testObjectionFormSaveChinese(t, salesTeam(t, apptest.Postgres(t))) })
	t.Run("FormContinuesAfterRestart", func(t *testing.T) { testFormContinuesAfterRestart(t, salesTeam(t, apptest.Postgres(t))) })
	t.Run("ContactEditHeldByACommand", func(t *testing.T) { testContactEditHeldByACommand(t, salesTeam(t, apptest.Postgres(t))) })
	t.Run("UndoKeepsACardWhoseContactWasEdited", func(t *testing.T) { testUndoKeepsACardWhoseContactWasEdited(t, salesTeam(t, apptest.Postgres(t))) })
}
