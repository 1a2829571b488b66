package reports

import (
	"bytes"
	"context"
	"database/sql/driver"
	"encoding/csv"
	"fmt"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"salesbot/models"
)

// ExportScope is what an export covers: a team's records (RepID 0) or one
// rep's, between two civil dates inclusive, in the team's zone.
type ExportScope struct {
	Team     *models.Team
	RepID    int64
	From, To string
}

// Cell types of export columns.
const (
	KindText = iota
	KindTime // an instant, written in the team's zone
	KindDate
	KindInt
	KindBool
)

// Column is one column of an export sheet.
type Column struct {
	Header string
	Kind   int
	Width  float64
}

// Sheet is one table of an export: a name (in the reader's language), its
// columns and rows. Row values are string, time.Time, int or bool, matching
// the columns' kinds.
type Sheet struct {
	Name    string
	File    string // CSV file name stem
	Columns []Column
	Rows    [][]any
}

// Export is the data of an export, ready to write.
type Export struct {
	Scope  ExportScope
	Loc    *time.Location
	Sheets []Sheet
}

// ExportLabels are the words an export uses, in the reader's language.
type ExportLabels struct {
	// Sheets: sheet name and headers, keyed by sheet id (visits,
	// objections, clients, followups).
	Sheets map[string]SheetLabels
	// Enum renders a stage, attitude, method, category or grade value;
	// kind is "stage", "attitude", "method", "category", "grade".
	Enum     func(kind, value string) string
	Yes, No  string
	FileStem string // e.g. "salesbot-North-2026-11-01-2026-11-30"
}

// SheetLabels name a sheet and its columns.
type SheetLabels struct {
	Name    string
	Headers []string
}

// ExportCounts are the row counts of an export's sheets.
func (e *Export) ExportCounts() map[string]int {
	out := map[string]int{}
	for _, s := range e.Sheets {
		out[s.File] = len(s.Rows)
	}
	return out
}

func header(l ExportLabels, sheet string, i int, fallback string) string {
	if sl, ok := l.Sheets[sheet]; ok && i < len(sl.Headers) {
		return sl.Headers[i]
	}
	return fallback
}

func sheetName(l ExportLabels, sheet string) string {
	if sl, ok := l.Sheets[sheet]; ok && sl.Name != "" {
		return sl.Name
	}
	return sheet
}

func (l ExportLabels) enum(kind, v string) string {
	if v == "" || l.Enum == nil {
		return v
	}
	return l.Enum(kind, v)
}

// Export reads the records of a scope: visits and objections in the period,
// the clients (all the team's, or the rep's own) with their visits in the
// period and last visit. A fixed number of index-backed queries.
func (b *Builder) Export(ctx context.Context, sc ExportScope, l ExportLabels) (*Export, error) {
	loc := sc.Team.Location()
	from, _, err := models.DateBounds(sc.From, loc)
	if err != nil {
		return nil, err
	}
	_, to, err := models.DateBounds(sc.To, loc)
	if err != nil {
		return nil, err
	}
	g := b.db.Gorm().WithContext(ctx)
	e := &Export{Scope: sc, Loc: loc}

	// Flat row types: gorm's Scan does not fill embedded structs.
	var visits []struct {
		ID, RepID, ClientID                               int64
		RepName, ClientName                               string
		At                                                time.Time
		StageBefore, Stage, Attitude, Method              string
		Place, TalkingPoints, ClientView, NextStep, Notes string
		DurationMin                                       int
		NextVisitAt                                       *time.Time
	}
	q := g.Table("visits").
		Select("visits.id, visits.rep_id, users.name AS rep_name, visits.client_id, clients.name AS client_name, visits.at, visits.stage_before, visits.stage, visits.attitude, visits.method, visits.place, visits.talking_points, visits.client_view, visits.next_step, visits.notes, visits.duration_min, visits.next_visit_at").
		Joins("JOIN clients ON clients.id = visits.client_id").
		Joins("JOIN users ON users.id = visits.rep_id").
		Where("visits.team_id = ? AND visits.at >= ? AND visits.at < ? AND visits.deleted_at IS NULL", sc.Team.ID, from, to)
	if sc.RepID != 0 {
		q = q.Where("visits.rep_id = ?", sc.RepID)
	}
	if err := q.Order("visits.at, visits.id").Scan(&visits).Error; err != nil {
		return nil, fmt.Errorf("export visits of team %d: %w", sc.Team.ID, err)
	}
	vs := Sheet{Name: sheetName(l, "visits"), File: "visits", Columns: []Column{
		{header(l, "visits", 0, "Date"), KindTime, 17}, {header(l, "visits", 1, "Rep"), KindText, 16},
		{header(l, "visits", 2, "Client"), KindText, 24}, {header(l, "visits", 3, "Method"), KindText, 12},
		{header(l, "visits", 4, "Stage before"), KindText, 16}, {header(l, "visits", 5, "Stage"), KindText, 16},
		{header(l, "visits", 6, "Attitude"), KindText, 10}, {header(l, "visits", 7, "Minutes"), KindInt, 9},
		{header(l, "visits", 8, "Place"), KindText, 24}, {header(l, "visits", 9, "Talking points"), KindText, 40},
		{header(l, "visits", 10, "Client's view"), KindText, 40}, {header(l, "visits", 11, "Next step"), KindText, 30},
		{header(l, "visits", 12, "Next visit"), KindTime, 17}, {header(l, "visits", 13, "Notes"), KindText, 30},
	}}
	for _, v := range visits {
		var next any = ""
		if v.NextVisitAt != nil {
			next = v.NextVisitAt.UTC()
		}
		vs.Rows = append(vs.Rows, []any{v.At.UTC(), v.RepName, v.ClientName, l.enum("method", v.Method), l.enum("stage", v.StageBefore),
			l.enum("stage", v.Stage), l.enum("attitude", v.Attitude), v.DurationMin, v.Place, v.TalkingPoints, v.ClientView, v.NextStep, next, v.Notes})
	}

	var objs []struct {
		ID, RepID                             int64
		RepName, ClientName                   string
		At                                    time.Time
		Category, Words, Answer, WorkedAnswer string
		Resolved                              bool
		ResolvedAt                            *time.Time
	}
	q = g.Table("objections").
		Select("objections.id, objections.rep_id, users.name AS rep_name, clients.name AS client_name, objections.at, objections.category, objections.words, objections.answer, objections.resolved, objections.worked_answer, objections.resolved_at").
		Joins("JOIN clients ON clients.id = objections.client_id").
		Joins("JOIN users ON users.id = objections.rep_id").
		Where("objections.team_id = ? AND objections.at >= ? AND objections.at < ? AND objections.deleted_at IS NULL", sc.Team.ID, from, to)
	if sc.RepID != 0 {
		q = q.Where("objections.rep_id = ?", sc.RepID)
	}
	if err := q.Order("objections.at, objections.id").Scan(&objs).Error; err != nil {
		return nil, fmt.Errorf("export objections of team %d: %w", sc.Team.ID, err)
	}
	os := Sheet{Name: sheetName(l, "objections"), File: "objections", Columns: []Column{
		{header(l, "objections", 0, "Date"), KindTime, 17}, {header(l, "objections", 1, "Rep"), KindText, 16},
		{header(l, "objections", 2, "Client"), KindText, 24}, {header(l, "objections", 3, "Category"), KindText, 18},
		{header(l, "objections", 4, "Client's words"), KindText, 40}, {header(l, "objections", 5, "Answer"), KindText, 40},
		{header(l, "objections", 6, "Resolved"), KindBool, 10}, {header(l, "objections", 7, "Answer that worked"), KindText, 40},
		{header(l, "objections", 8, "Resolved on"), KindTime, 17},
	}}
	for _, o := range objs {
		var res any = ""
		if o.ResolvedAt != nil {
			res = o.ResolvedAt.UTC()
		}
		os.Rows = append(os.Rows, []any{o.At.UTC(), o.RepName, o.ClientName, l.enum("category", o.Category), o.Words, o.Answer, o.Resolved, o.WorkedAnswer, res})
	}

	var clients []struct {
		ID                                                         int64
		Name, Grade, Stage, Industry, Address, Size, Source, Notes string
		OwnerName                                                  string
		CreatedAt                                                  time.Time
	}
	q = g.Table("clients").
		Select("clients.id, clients.name, clients.grade, clients.stage, clients.industry, clients.address, clients.size, clients.source, clients.notes, users.name AS owner_name, clients.created_at").
		Joins("LEFT JOIN users ON users.id = clients.owner_id").
		Where("clients.team_id = ?", sc.Team.ID)
	if sc.RepID != 0 {
		q = q.Where("clients.owner_id = ?", sc.RepID)
	}
	if err := q.Order("clients.name, clients.id").Scan(&clients).Error; err != nil {
		return nil, fmt.Errorf("export clients of team %d: %w", sc.Team.ID, err)
	}
	// Visits per client in the period and each client's last visit, as
	// two grouped aggregates over the team's visits.
	var counts []struct {
		ClientID int64
		N        int
		Last     dbTime
	}
	q = g.Table("visits").Select("client_id, SUM(CASE WHEN at >= ? AND at < ? THEN 1 ELSE 0 END) AS n, MAX(at) AS last", from, to).
		Where("team_id = ? AND deleted_at IS NULL", sc.Team.ID)
	if sc.RepID != 0 {
		q = q.Where("rep_id = ?", sc.RepID)
	}
	if err := q.Group("client_id").Scan(&counts).Error; err != nil {
		return nil, fmt.Errorf("count visits per client of team %d: %w", sc.Team.ID, err)
	}
	count := map[int64]int{}
	lastAt := map[int64]time.Time{}
	for _, r := range counts {
		count[r.ClientID] = r.N
		if !r.Last.IsZero() {
			lastAt[r.ClientID] = r.Last.UTC()
		}
	}
	cs := Sheet{Name: sheetName(l, "clients"), File: "clients", Columns: []Column{
		{header(l, "clients", 0, "Client"), KindText, 24}, {header(l, "clients", 1, "Grade"), KindText, 8},
		{header(l, "clients", 2, "Stage"), KindText, 16}, {header(l, "clients", 3, "Owner"), KindText, 16},
		{header(l, "clients", 4, "Industry"), KindText, 16}, {header(l, "clients", 5, "Address"), KindText, 30},
		{header(l, "clients", 6, "Size"), KindText, 10}, {header(l, "clients", 7, "Source"), KindText, 14},
		{header(l, "clients", 8, "Visits in period"), KindInt, 10}, {header(l, "clients", 9, "Last visit"), KindTime, 17},
		{header(l, "clients", 10, "Created"), KindTime, 17}, {header(l, "clients", 11, "Notes"), KindText, 30},
	}}
	for _, c := range clients {
		var lv any = ""
		if t, ok := lastAt[c.ID]; ok {
			lv = t
		}
		cs.Rows = append(cs.Rows, []any{c.Name, l.enum("grade", c.Grade), l.enum("stage", c.Stage), c.OwnerName, c.Industry, c.Address,
			c.Size, c.Source, count[c.ID], lv, c.CreatedAt.UTC(), c.Notes})
	}
	fs, err := b.followUpSheet(ctx, sc, l, from, to)
	if err != nil {
		return nil, err
	}
	e.Sheets = []Sheet{vs, os, cs, fs}
	return e, nil
}

// followUpSheet lists the follow-ups due in the period
// (idx_follow_ups_team / idx_follow_ups_owner: state, due time).
func (b *Builder) followUpSheet(ctx context.Context, sc ExportScope, l ExportLabels, from, to time.Time) (Sheet, error) {
	var rows []struct {
		DueAt      time.Time
		OwnerName  string
		ClientName *string
		Text       string
		Kind       string
		State      string
		DoneAt     *time.Time
	}
	states := []string{}
	for _, st := range []models.FollowUpState{models.FollowUpPending, models.FollowUpSending, models.FollowUpHeld, models.FollowUpSent, models.FollowUpDone, models.FollowUpCancelled} {
		states = append(states, string(st))
	}
	q := b.db.Gorm().WithContext(ctx).Table("follow_ups").
		Select("follow_ups.due_at, users.name AS owner_name, clients.name AS client_name, follow_ups.text, follow_ups.kind, follow_ups.state, follow_ups.done_at").
		Joins("JOIN users ON users.id = follow_ups.owner_id").
		Joins("LEFT JOIN clients ON clients.id = follow_ups.client_id")
	if sc.RepID != 0 {
		q = q.Where("follow_ups.owner_id = ? AND follow_ups.state IN ? AND follow_ups.due_at >= ? AND follow_ups.due_at < ? AND follow_ups.team_id = ?", sc.RepID, states, from, to, sc.Team.ID)
	} else {
		q = q.Where("follow_ups.team_id = ? AND follow_ups.state IN ? AND follow_ups.due_at >= ? AND follow_ups.due_at < ?", sc.Team.ID, states, from, to)
	}
	if err := q.Order("follow_ups.due_at, follow_ups.id").Scan(&rows).Error; err != nil {
		return Sheet{}, fmt.Errorf("export follow-ups of team %d: %w", sc.Team.ID, err)
	}
	fs := Sheet{Name: sheetName(l, "followups"), File: "followups", Columns: []Column{
		{header(l, "followups", 0, "Due"), KindTime, 17}, {header(l, "followups", 1, "Rep"), KindText, 16},
		{header(l, "followups", 2, "Client"), KindText, 24}, {header(l, "followups", 3, "Text"), KindText, 40},
		{header(l, "followups", 4, "Kind"), KindText, 12}, {header(l, "followups", 5, "State"), KindText, 12},
		{header(l, "followups", 6, "Done on"), KindTime, 17},
	}}
	for _, r := range rows {
		client := ""
		if r.ClientName != nil {
			client = *r.ClientName
		}
		var done any = ""
		if r.DoneAt != nil {
			done = r.DoneAt.UTC()
		}
		fs.Rows = append(fs.Rows, []any{r.DueAt.UTC(), r.OwnerName, client, r.Text, l.enum("fukind", r.Kind), l.enum("fustate", r.State), done})
	}
	return fs, nil
}

// dbTime scans an aggregated time, which SQLite returns as text (an
// aggregate has no declared column type) and PostgreSQL as a time.
type dbTime struct{ time.Time }

// Scan implements sql.Scanner.
func (t *dbTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		t.Time = time.Time{}
		return nil
	case time.Time:
		t.Time = x
		return nil
	case []byte:
		return t.parse(string(x))
	case string:
		return t.parse(x)
	}
	return fmt.Errorf("scan time from %T", v)
}

// Value implements driver.Valuer (gorm wants both directions).
func (t dbTime) Value() (driver.Value, error) { return t.Time, nil }

func (t *dbTime) parse(s string) error {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", time.RFC3339Nano} {
		if p, err := time.Parse(layout, s); err == nil {
			t.Time = p
			return nil
		}
	}
	return fmt.Errorf("scan time from %q", s)
}

// wall is t's wall clock in loc as a zone-less time: spreadsheets have no
// zones, so a cell shows the team's local time.
func wall(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

// XLSX writes the export as a workbook: one sheet per table, a bold frozen
// header row, column widths, times as Excel dates in the team's zone,
// numbers as numbers.
func (e *Export) XLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return nil, fmt.Errorf("make header style: %w", err)
	}
	timeFmt := "yyyy-mm-dd hh:mm"
	when, err := f.NewStyle(&excelize.Style{CustomNumFmt: &timeFmt})
	if err != nil {
		return nil, fmt.Errorf("make date style: %w", err)
	}
	first := f.GetSheetName(0)
	for i, sh := range e.Sheets {
		if i == 0 {
			if err := f.SetSheetName(first, sh.Name); err != nil {
				return nil, fmt.Errorf("name sheet %q: %w", sh.Name, err)
			}
		} else if _, err := f.NewSheet(sh.Name); err != nil {
			return nil, fmt.Errorf("add sheet %q: %w", sh.Name, err)
		}
		sw, err := f.NewStreamWriter(sh.Name)
		if err != nil {
			return nil, fmt.Errorf("write sheet %q: %w", sh.Name, err)
		}
		for c, col := range sh.Columns {
			if err := sw.SetColWidth(c+1, c+1, col.Width); err != nil {
				return nil, err
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return nil, err
		}
		head := make([]any, len(sh.Columns))
		for c, col := range sh.Columns {
			head[c] = excelize.Cell{StyleID: bold, Value: col.Header}
		}
		if err := sw.SetRow("A1", head); err != nil {
			return nil, err
		}
		for r, row := range sh.Rows {
			cells := make([]any, len(row))
			for c, v := range row {
				switch x := v.(type) {
				case time.Time:
					cells[c] = excelize.Cell{StyleID: when, Value: wall(x, e.Loc)}
				default:
					cells[c] = x
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, r+2)
			if err := sw.SetRow(cell, cells); err != nil {
				return nil, fmt.Errorf("write row %d of %q: %w", r+2, sh.Name, err)
			}
		}
		if err := sw.Flush(); err != nil {
			return nil, fmt.Errorf("finish sheet %q: %w", sh.Name, err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("write workbook: %w", err)
	}
	return buf.Bytes(), nil
}

// utf8BOM makes Excel read a CSV file as UTF-8 (Chinese names included).
const utf8BOM = "\uFEFF"

// CSV writes one sheet as CSV, UTF-8 with a byte order mark, times in the
// team's zone as "2006-01-02 15:04", booleans with the labels given.
func (e *Export) CSV(sh Sheet, yes, no string) []byte {
	var buf bytes.Buffer
	buf.WriteString(utf8BOM)
	w := csv.NewWriter(&buf)
	rec := make([]string, len(sh.Columns))
	for c, col := range sh.Columns {
		rec[c] = col.Header
	}
	_ = w.Write(rec)
	for _, row := range sh.Rows {
		for c, v := range row {
			switch x := v.(type) {
			case time.Time:
				rec[c] = x.In(e.Loc).Format("2006-01-02 15:04")
			case int:
				rec[c] = strconv.Itoa(x)
			case bool:
				rec[c] = no
				if x {
					rec[c] = yes
				}
			case string:
				rec[c] = x
			default:
				rec[c] = fmt.Sprint(x)
			}
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return buf.Bytes()
}
