package reports

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"salesbot/internal/storage"
	"salesbot/models"
)

// ExportScope is what an export covers: a team's records (RepID 0) or one
// rep's, between two civil dates inclusive, in the team's zone, as Viewer
// may see them (storage.System for an operator's export).
type ExportScope struct {
	Viewer   *models.User
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
	KindNumber // a float64 count
	KindMoney  // an Amount
	KindMonth  // a MonthCell
)

// Typed cells besides text, times, ints, float64s and bools.
type (
	// Amount is money in major units (3200000.5), written as a number
	// with two decimals.
	Amount float64
	// MonthCell is a calendar month, written as a date shown "yyyy-mm".
	MonthCell models.Month
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
	// RepWord introduces a competitor's rep in the Deals sheet ("rep Li").
	RepWord string
}

// SheetLabels name a sheet and its columns: Columns by column id (a
// field's name, "date", "rep") for the sheets of records, Headers by
// position for the follow-ups.
type SheetLabels struct {
	Name    string
	Columns map[string]string
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

// column is the header of a record sheet's column ("" when not labelled).
func (l ExportLabels) column(sheet, id string) string {
	return l.Sheets[sheet].Columns[id]
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
// period and last visit, and the follow-ups due in the period. A fixed
// number of index-backed queries.
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
	scope := storage.RecordScope{Viewer: sc.Viewer, TeamID: sc.Team.ID, RepID: sc.RepID, From: from, To: to}
	e := &Export{Scope: sc, Loc: loc}
	for _, sheet := range []func(context.Context, storage.RecordScope, ExportLabels) (Sheet, error){
		b.visitSheet, b.objectionSheet, b.clientSheet, b.followUpSheet, b.dealSheet,
	} {
		sh, err := sheet(ctx, scope, l)
		if err != nil {
			return nil, err
		}
		e.Sheets = append(e.Sheets, sh)
	}
	targets, err := b.targetSheet(ctx, sc, l)
	if err != nil {
		return nil, err
	}
	e.Sheets = append(e.Sheets, targets)
	return e, nil
}

// newSheet starts a sheet with its columns, headers in the reader's
// language (the English fallbacks given here when a label is missing).
func newSheet(l ExportLabels, id string, cols ...Column) Sheet {
	for i := range cols {
		cols[i].Header = header(l, id, i, cols[i].Header)
	}
	return Sheet{Name: sheetName(l, id), File: id, Columns: cols}
}

// orEmpty is a time cell, or an empty one for no time.
func orEmpty(t *time.Time) any {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC()
}

// fieldColumns are the export's columns of a record's fields (the fields
// of its table that are exported, in the table's order), after the lead
// columns; the header of a field column is the label of the column's id,
// the field's name.
func fieldColumns[R any](specs []models.FieldSpec[R]) (ids []string, cols []Column) {
	for i := range specs {
		f := &specs[i]
		if !f.Has(models.UseExport) {
			continue
		}
		kind := KindText
		switch f.Kind {
		case models.TimeField:
			kind = KindTime
		case models.MinutesField:
			kind = KindInt
		case models.BoolField:
			kind = KindBool
		}
		ids = append(ids, string(f.Name))
		cols = append(cols, Column{Header: string(f.Name), Kind: kind, Width: f.Width})
	}
	return ids, cols
}

// fieldSheet starts the sheet of a record: the lead columns (ids and
// columns), then its exported fields.
func fieldSheet[R any](l ExportLabels, id string, leadIDs []string, lead []Column, specs []models.FieldSpec[R]) Sheet {
	ids, cols := fieldColumns(specs)
	ids, cols = append(leadIDs, ids...), append(lead, cols...)
	for i := range cols {
		if h := l.column(id, ids[i]); h != "" {
			cols[i].Header = h
		}
	}
	return Sheet{Name: sheetName(l, id), File: id, Columns: cols}
}

// fieldCells are a record's cells of its exported fields; custom gives
// the cells of fields the record does not hold itself (names joined in).
func fieldCells[R any](l ExportLabels, specs []models.FieldSpec[R], rec *R, custom func(models.Field) any) []any {
	var cells []any
	for i := range specs {
		f := &specs[i]
		if !f.Has(models.UseExport) {
			continue
		}
		var v any
		switch {
		case f.Kind == models.CustomField:
			v = custom(f.Name)
		case f.Kind == models.TimeField:
			v = orEmpty(f.Time(rec))
		case f.Kind == models.MinutesField:
			v, _ = strconv.Atoi(f.Get(rec))
		case f.Kind == models.BoolField:
			v = f.Get(rec) != ""
		case f.Kind == models.ChoiceField:
			v = l.enum(string(f.Enum), f.Get(rec))
		default:
			v = f.Get(rec)
		}
		if v == nil {
			v = ""
		}
		cells = append(cells, v)
	}
	return cells
}

// The columns before a record's fields: when and who.
var (
	leadIDs  = []string{"date", "rep"}
	leadCols = func() []Column { return []Column{{"Date", KindTime, 17}, {"Rep", KindText, 16}} }
)

// fill adds a row per record to a sheet (or passes on the error of the
// query that read them).
func fill[T any](sh Sheet, records []T, err error, row func(*T) []any) (Sheet, error) {
	if err != nil {
		return Sheet{}, err
	}
	for i := range records {
		sh.Rows = append(sh.Rows, row(&records[i]))
	}
	return sh, nil
}

func (b *Builder) visitSheet(ctx context.Context, sc storage.RecordScope, l ExportLabels) (Sheet, error) {
	visits, err := b.db.ExportVisits(ctx, sc)
	if err != nil {
		return Sheet{}, err
	}
	var dealIDs []int64
	for _, v := range visits {
		if v.DealID != 0 {
			dealIDs = append(dealIDs, v.DealID)
		}
	}
	deals, err := b.db.DealTitles(ctx, sc.Viewer, sc.TeamID, dealIDs)
	return fill(fieldSheet(l, "visits", leadIDs, leadCols(), models.VisitFields), visits, err, func(v *models.VisitRecord) []any {
		cells := fieldCells(l, models.VisitFields, &v.Visit, func(f models.Field) any {
			if f == models.FieldDeal {
				return deals[v.DealID]
			}
			return v.Client
		})
		return append([]any{v.At.UTC(), v.Rep}, cells...)
	})
}

func (b *Builder) objectionSheet(ctx context.Context, sc storage.RecordScope, l ExportLabels) (Sheet, error) {
	objs, err := b.db.ExportObjections(ctx, sc)
	return fill(fieldSheet(l, "objections", leadIDs, leadCols(), models.ObjectionFields), objs, err, func(o *models.ObjectionRecord) []any {
		cells := fieldCells(l, models.ObjectionFields, &o.Objection, func(models.Field) any { return o.Client })
		return append([]any{o.At.UTC(), o.Rep}, cells...)
	})
}

func (b *Builder) clientSheet(ctx context.Context, sc storage.RecordScope, l ExportLabels) (Sheet, error) {
	clients, err := b.db.ExportClients(ctx, sc)
	return fill(fieldSheet(l, "clients", nil, nil, models.ClientFields), clients, err, func(c *models.ClientRecord) []any {
		return fieldCells(l, models.ClientFields, &c.Client, func(f models.Field) any {
			switch f {
			case models.FieldOwner:
				return c.Owner
			case models.FieldVisitCount:
				return c.VisitsInPeriod
			case models.FieldLastVisit:
				return orEmpty(&c.LastVisit)
			case models.FieldCreated:
				return c.CreatedAt.UTC()
			}
			return ""
		})
	})
}

// followUpSheet lists the follow-ups due in the period.
func (b *Builder) followUpSheet(ctx context.Context, sc storage.RecordScope, l ExportLabels) (Sheet, error) {
	fus, err := b.db.ExportFollowUps(ctx, sc)
	return fill(newSheet(l, "followups",
		Column{"Due", KindTime, 17}, Column{"Rep", KindText, 16}, Column{"Client", KindText, 24}, Column{"Text", KindText, 40},
		Column{"Kind", KindText, 12}, Column{"State", KindText, 12}, Column{"Done on", KindTime, 17},
	), fus, err, func(f *models.FollowUpRecord) []any {
		return []any{f.DueAt.UTC(), f.Owner, f.ClientName, f.Text, l.enum("fukind", string(f.Kind)),
			l.enum("fustate", string(f.State)), orEmpty(&f.DoneAt)}
	})
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
	monthFmt, amountFmt := "yyyy-mm", "#,##0.00"
	month, err := f.NewStyle(&excelize.Style{CustomNumFmt: &monthFmt})
	if err != nil {
		return nil, fmt.Errorf("make month style: %w", err)
	}
	amount, err := f.NewStyle(&excelize.Style{CustomNumFmt: &amountFmt})
	if err != nil {
		return nil, fmt.Errorf("make amount style: %w", err)
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
				case MonthCell:
					cells[c] = excelize.Cell{StyleID: month, Value: monthTime(x)}
				case Amount:
					cells[c] = excelize.Cell{StyleID: amount, Value: float64(x)}
				case string:
					cells[c] = SafeCell(x)
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

// SafeCell neutralises a text cell a spreadsheet would run as a formula
// (OWASP "CSV injection"): text starting with =, +, -, @, a tab or a
// carriage return gets a leading apostrophe, so "=HYPERLINK(...)" typed
// into a visit's notes is shown as text, never evaluated. Every text cell
// of every export, CSV and XLSX, goes through it.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
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
			case int64:
				rec[c] = strconv.FormatInt(x, 10)
			case float64:
				rec[c] = strconv.FormatFloat(x, 'f', -1, 64)
			case Amount:
				rec[c] = strconv.FormatFloat(float64(x), 'f', -1, 64)
			case MonthCell:
				rec[c] = models.Month(x).Key()
			case bool:
				rec[c] = no
				if x {
					rec[c] = yes
				}
			case string:
				rec[c] = SafeCell(x)
			default:
				rec[c] = SafeCell(fmt.Sprint(x))
			}
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return buf.Bytes()
}
