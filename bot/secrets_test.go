package bot_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"salesbot/internal/apptest"
	"salesbot/internal/redact"
	"salesbot/internal/tgfake"
)

// Whatever the API or a proxy in front of it answers — a JSON description
// quoting the request path, an HTML error page — the token is in no log
// line and in no stored error text.
func TestTokenRedactedFromLogsAndStoredErrors(t *testing.T) {
	h := apptest.New(t)
	const token = "42:test-token" // the harness's
	echo := "Cannot POST /bot" + token + "/sendMessage"
	apptest.MustContain(t, h.Send(admin, "/remind tomorrow 10:00 call Li"), "call Li")
	apptest.MustContain(t, h.Send(admin, "/remind tomorrow 11:00 call Wu"), "call Wu")
	h.Clock.Advance(27 * time.Hour)

	// The first follow-up draws a 400 whose description echoes the path;
	// the second a proxy's HTML page, every try.
	h.Fake.FailNext("sendMessage", tgfake.Failure{Code: http.StatusBadRequest, Description: "Bad Request: " + echo})
	h.Fake.FailNextN("sendMessage", 10, tgfake.Failure{Code: http.StatusBadGateway, Body: "<html><body><pre>" + echo + "</pre></body></html>"})
	h.Tick()

	errs, err := h.App.DB.SendErrors(t.Context(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) == 0 {
		t.Fatalf("no send error stored; log:\n%s", h.Log.String())
	}
	for _, e := range errs {
		if strings.Contains(e, "test-token") || !strings.Contains(e, redact.Mask) {
			t.Fatalf("stored error %q", e)
		}
	}
	h.Stop()
	if strings.Contains(h.Log.String(), "test-token") {
		t.Fatalf("token in log:\n%s", h.Log.String())
	}
	if !strings.Contains(h.Log.String(), "/bot"+redact.Mask+"/sendMessage") {
		t.Fatalf("the failures were not logged at all (the test would prove nothing):\n%s", h.Log.String())
	}
}

// Text that a spreadsheet would run as a formula leaves in every export as
// text: the CSV files and the workbook's cells start with an apostrophe.
func TestExportNeutralisesFormulas(t *testing.T) {
	h := apptest.New(t)
	h.Member(bob, "North", "rep")
	apptest.MustContain(t, h.Send(bob, `/visit =HYPERLINK("http://evil.example","open"); demo; note: @SUM(1+1)`), "HYPERLINK")
	got := h.Send(admin, "/export North")
	if len(got) < 2 {
		t.Fatalf("export: %q", apptest.Texts(got))
	}
	f := openWorkbook(t, got[0])
	vs := rows(t, f, "Visits")
	joined := strings.Join(vs[1], "|")
	if !strings.Contains(joined, `'=HYPERLINK("http://evil.example","open")`) || !strings.Contains(joined, "'@SUM(1+1)") {
		t.Fatalf("workbook visit row %q", vs[1])
	}
	csv := string(got[1].File)
	if !strings.Contains(csv, `"'=HYPERLINK(""http://evil.example"",""open"")"`) || !strings.Contains(csv, "'@SUM(1+1)") {
		t.Fatalf("visits CSV:\n%s", csv)
	}
	if strings.Contains(strings.ReplaceAll(csv, "'=", ""), ",=") {
		t.Fatalf("a bare formula in the CSV:\n%s", csv)
	}
}
