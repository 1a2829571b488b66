package bot

import (
	"fmt"
	"slices"
	"strings"

	"salesbot/models"
)

// word is the meaning of a sub-command word, "group.meaning": the words
// themselves are in each language file's [words.GROUP] table (meaning =
// [words]). A group is where the words are read, so one word means one thing
// in it; the same word may mean different things in different groups
// ("off" in /away and in /schedule).
type word string

// The words code asks for. Every one has words in the fallback language,
// and every word a language file defines is one of these (catalogue_test).
const (
	wordAwayOff        word = "away.off"          // /away off
	wordClientAdd      word = "client.add"        // /client add NAME
	wordClientShare    word = "client.share"      // /client NAME share @rep
	wordClientUnshare  word = "client.unshare"    // /client NAME unshare @rep
	wordSettingShared  word = "settings.shared"   // /settings shared on
	wordSettingTarget  word = "settings.target"   // /settings target units 42
	wordSettingCurr    word = "settings.currency" // /settings currency CNY
	wordTeamHistory    word = "team.history"      // /team history
	wordFollowUpsTeam  word = "followups.team"    // /followups team
	wordPlanNext       word = "plan.next"         // /plan next …
	wordPlanThis       word = "plan.this"         // /plan this …
	wordScheduleDigest word = "schedule.digest"   // /schedule digest 18:00
	wordScheduleSumm   word = "schedule.summary"
	wordScheduleDead   word = "schedule.deadline"
	wordScheduleDays   word = "schedule.days"
	wordScheduleOn     word = "schedule.on" // /schedule digest on
	wordScheduleOff    word = "schedule.off"
	wordSettingTZ      word = "settings.tz" // /settings tz Asia/Shanghai
	wordSettingRevisit word = "settings.revisit"
	wordSettingMorning word = "settings.morning"
	wordSettingQuiet   word = "settings.quiet"
	wordSettingDaysOff word = "settings.daysoff"
	wordQuietOff       word = "quiet.off"    // /settings quiet off
	wordDaysOffNone    word = "daysoff.none" // /settings daysoff none
	wordRoleRep        word = "role.rep"     // /invite rep, /promote NAME rep
	wordRoleManager    word = "role.manager"
	wordSettingProb    word = "settings.probability" // /settings probability demo 40
	wordScheduleMonth  word = "schedule.month"       // /schedule month 09:00
	wordMonthThis      word = "month.this"           // /pipeline this, /month this
	wordMonthNext      word = "month.next"
	wordMonthLast      word = "month.last"
	wordTeamUse        word = "team.use"        // /team use NAME
	wordClientOwner    word = "client.owner"    // /client NAME owner @rep
	wordDealVs         word = "deal.competitor" // "vs Brand X" at the deal form's competitors step
	wordUnitDays       word = "unit.days"       // /settings revisit 7d
	wordRangeTo        word = "range.to"        // /settings quiet 22:00~07:00
)

// allWords lists the constants above, for the catalogue test.
var allWords = []word{wordAwayOff, wordClientAdd, wordClientShare, wordClientUnshare, wordSettingShared, wordSettingTarget, wordSettingCurr, wordTeamHistory, wordFollowUpsTeam, wordPlanNext, wordPlanThis,
	wordScheduleDigest, wordScheduleSumm, wordScheduleDead, wordScheduleDays, wordScheduleOn, wordScheduleOff,
	wordSettingTZ, wordSettingRevisit, wordSettingMorning, wordSettingQuiet, wordSettingDaysOff,
	wordQuietOff, wordDaysOffNone, wordRoleRep, wordRoleManager,
	wordSettingProb, wordScheduleMonth, wordMonthThis, wordMonthNext, wordMonthLast,
	wordTeamUse, wordClientOwner, wordDealVs, wordUnitDays, wordRangeTo}

// settingWords are the keys /settings changes.
var settingWords = []word{wordSettingTZ, wordSettingRevisit, wordSettingMorning, wordSettingQuiet, wordSettingDaysOff, wordSettingShared,
	wordSettingTarget, wordSettingProb, wordSettingCurr}

// parseRole reads the role of /invite and /promote ("rep", "经理").
func (c *Catalogue) parseRole(s string) (models.Role, bool) {
	switch w, _ := c.wordOf(s, wordRoleRep, wordRoleManager); w {
	case wordRoleRep:
		return models.RoleRep, true
	case wordRoleManager:
		return models.RoleManager, true
	}
	return models.RoleNone, false
}

func (w word) group() string {
	g, _, _ := strings.Cut(string(w), ".")
	return g
}

// indexWords adds a language's words to the catalogue's index; a word that
// would mean two things in one group is an error.
func (c *Catalogue) indexWords(l *Language) error {
	for group, meanings := range l.Words {
		if c.words[group] == nil {
			c.words[group] = map[string]word{}
		}
		for meaning, ws := range meanings {
			w := word(group + "." + meaning)
			for _, s := range ws {
				s = strings.ToLower(strings.TrimSpace(s))
				if have, dup := c.words[group][s]; dup && have != w {
					return fmt.Errorf("catalogue: word %q (%s) means both %s and %s", s, l.Code, have, w)
				}
				c.words[group][s] = w
			}
		}
	}
	return nil
}

// wordsOf lists w's words in every language, lower case, longest first
// (for cutting one off the start or end of text).
func (c *Catalogue) wordsOf(w word) []string {
	var out []string
	for s, got := range c.words[w.group()] {
		if got == w {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	return out
}

// cutUnit drops a trailing unit word of w from s ("7d", "7天" → "7").
func (c *Catalogue) cutUnit(w word, s string) string {
	s = strings.TrimSpace(s)
	for _, u := range c.wordsOf(w) {
		if n := len(s) - len(u); n >= 0 && strings.EqualFold(s[n:], u) {
			return strings.TrimSpace(s[:n])
		}
	}
	return s
}

// rangeDashes writes every "from … to" word of s as "-" ("22:00到07:00" →
// "22:00-07:00").
func (c *Catalogue) rangeDashes(s string) string {
	var pairs []string
	for _, w := range c.wordsOf(wordRangeTo) {
		pairs = append(pairs, w, "-")
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// wordIs reports whether s is one of w's words, in any language.
func (c *Catalogue) wordIs(w word, s string) bool {
	got, ok := c.words[w.group()][strings.ToLower(strings.TrimSpace(s))]
	return ok && got == w
}

// wordOf reads s as one of the given meanings (all of one group).
func (c *Catalogue) wordOf(s string, among ...word) (word, bool) {
	if len(among) == 0 {
		return "", false
	}
	got, ok := c.words[among[0].group()][strings.ToLower(strings.TrimSpace(s))]
	return got, ok && slices.Contains(among, got)
}
