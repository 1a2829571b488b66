package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"salesbot/bot"
	"salesbot/internal/reports"
	"salesbot/internal/storage"
	"salesbot/models"
)

const exportUsage = `Usage: salesbot export --team NAME [--from YYYY-MM-DD] [--to YYYY-MM-DD] --out FILE.xlsx [flags]

Writes a team's visits, objections, clients (and follow-ups) as an Excel
workbook, the same as /export in the bot. Dates are days in the team's time
zone; the default is the last 30 days. --csv also writes one CSV file per
sheet (UTF-8 with BOM) beside the workbook.

Flags:
`

func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c common
	fs := newFlagSet("export", exportUsage, stderr)
	c.register(fs)
	teamName := fs.String("team", "", "the team to export (required)")
	from := fs.String("from", "", "first day, YYYY-MM-DD (default: 29 days before --to)")
	to := fs.String("to", "", "last day, YYYY-MM-DD (default: today in the team's zone)")
	out := fs.String("out", "", "the workbook to write, e.g. north.xlsx (required)")
	cat, err := bot.NewCatalogue()
	if err != nil {
		return fmt.Errorf("can't load language catalogue: %w", err)
	}
	langs := strings.Join(cat.Languages(), " or ")
	lang := fs.String("lang", cat.Fallback(), "language of sheet names and headers: "+langs)
	csvToo := fs.Bool("csv", false, "also write FILE-visits.csv, FILE-objections.csv, ... beside the workbook")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *teamName == "" || *out == "" {
		fs.Usage()
		return usageError{"export needs --team and --out (example: salesbot export --team North --from 2026-11-01 --to 2026-11-30 --out north.xlsx)"}
	}
	if code, ok := cat.Match(*lang); !ok || code != *lang {
		return usageError{fmt.Sprintf("--lang %q: use %s", *lang, langs)}
	}
	for _, d := range []string{*from, *to} {
		if _, err := time.Parse(models.DateLayout, d); d != "" && err != nil {
			return usageError{fmt.Sprintf("%q is not a date like 2026-11-30", d)}
		}
	}
	db, err := openMigrated(ctx, c.db)
	if err != nil {
		return err
	}
	defer db.Close()
	team, err := db.TeamByName(ctx, *teamName)
	if err != nil {
		if models.ErrorCode(err) == models.ENOTFOUND {
			return usageError{fmt.Sprintf("there is no team %q", *teamName)}
		}
		return err
	}
	sc := reports.ExportScope{Viewer: storage.System, Team: team, From: *from, To: *to}
	if sc.To == "" {
		sc.To = models.CivilDate(time.Now(), team.Location())
	}
	if sc.From == "" {
		sc.From = models.AddDays(sc.To, -29)
	}
	if sc.From > sc.To {
		return usageError{fmt.Sprintf("--from %s is after --to %s", sc.From, sc.To)}
	}
	e, err := reports.NewBuilder(db, nil).Export(ctx, sc, bot.ExportLabels(cat, *lang))
	if err != nil {
		return err
	}
	data, err := e.XLSX()
	if err != nil {
		return err
	}
	if err := writePrivate(*out, data); err != nil {
		return err
	}
	counts := e.ExportCounts()
	fmt.Fprintf(stdout, "wrote %s: %s, %s – %s: %d visits, %d objections, %d clients\n", *out, team.Name, sc.From, sc.To,
		counts["visits"], counts["objections"], counts["clients"])
	if *csvToo {
		l := bot.ExportLabels(cat, *lang)
		stem := strings.TrimSuffix(*out, ".xlsx")
		for _, sh := range e.Sheets {
			name := stem + "-" + sh.File + ".csv"
			if err := writePrivate(name, e.CSV(sh, l.Yes, l.No)); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "wrote %s\n", name)
		}
	}
	return nil
}

// writePrivate writes an export readable by its owner only (0600): it
// holds clients, contacts and phone numbers. A file that existed with wider
// permissions is narrowed too.
func writePrivate(name string, data []byte) error {
	if err := os.WriteFile(name, data, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Chmod(name, 0o600); err != nil {
		return fmt.Errorf("make %s private: %w", name, err)
	}
	return nil
}

// openMigrated opens the database and brings its schema up to date, for the
// subcommands that use it without the bot (migrate, export).
func openMigrated(ctx context.Context, dsn string) (*storage.DB, error) {
	db, err := storage.Open(dsn, nil)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
