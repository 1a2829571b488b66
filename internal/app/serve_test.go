package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"salesbot/internal/app"
	"salesbot/internal/apptest"
	"salesbot/internal/storage/storagetest"
	"salesbot/internal/tgfake"
)

const testSecret = "test_secret-0123456789"

// freeAddr finds a local port to listen on (the webhook URL must name it
// before the server starts).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func withWebhook(addr string) apptest.Option {
	return apptest.WithConfig(func(c *app.Config) {
		c.Serve = app.Serve{
			Listen: addr, WebhookURL: "http://" + addr + "/telegram", WebhookSecret: testSecret,
			Replica: "test-replica", Version: "v-test",
		}
	})
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// Updates arrive through the webhook (the fake POSTs them with the secret),
// are handled, and the operator endpoints report it.
func TestWebhookEndToEnd(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { webhookEndToEnd(t) })
	// On PostgreSQL the inbox's workers take chats from the database, as
	// one replica among several.
	t.Run("postgres", func(t *testing.T) { webhookEndToEnd(t, apptest.Postgres(t)) })
}

func webhookEndToEnd(t *testing.T, opts ...apptest.Option) {
	addr := freeAddr(t)
	h := apptest.New(t, append(opts, withWebhook(addr))...)
	if got := h.Fake.WebhookURL(); got != "http://"+addr+"/telegram" {
		t.Fatalf("webhook registered at %q", got)
	}
	apptest.MustContain(t, h.Send(apptest.Admin, "/newteam North"), "Team North created")
	for _, d := range h.Fake.Deliveries() {
		if d.Status != http.StatusOK {
			t.Fatalf("a delivery was answered %d (%s)", d.Status, d.Err)
		}
	}

	// Someone else posting to the endpoint is refused and nothing is stored.
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/telegram", strings.NewReader(`{"update_id":999,"message":{"text":"/newteam Evil"}}`))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "not-the-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("forged delivery answered %d, want 401", resp.StatusCode)
	}
	if n, _, err := h.App.DB.InboxBacklog(context.Background()); err != nil || n != 0 {
		t.Fatalf("backlog %d %v after a forged delivery", n, err)
	}

	code, body := get(t, "http://"+addr+"/healthz")
	if code != http.StatusOK {
		t.Fatalf("/healthz %d %s", code, body)
	}
	code, body = get(t, "http://"+addr+"/readyz")
	if code != http.StatusOK || !strings.Contains(body, "ok   webhook") || !strings.Contains(body, "ok   database") {
		t.Fatalf("/readyz %d:\n%s", code, body)
	}

	code, body = get(t, "http://"+addr+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics %d", code)
	}
	for _, want := range []string{
		`salesbot_updates_received_total{kind="message"} 1`,
		`salesbot_updates_handled_total{kind="message"} 1`,
		`salesbot_update_handle_seconds_count{kind="message"} 1`,
		`salesbot_webhook_rejected_total{reason="secret"} 1`,
		`salesbot_inbox_backlog 0`,
		`salesbot_build_info{replica="test-replica",version="v-test"} 1`,
		`salesbot_db_open_connections`,
		`salesbot_messages_sent_total`,
		`salesbot_telegram_retry_after_seconds_total 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, line := range strings.Split(body, "\n") {
		if line != "" && !strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "salesbot_") {
			t.Fatalf("series outside salesbot_: %s", line)
		}
	}

	// A restart registers the webhook again and goes on where it was.
	h.Restart()
	apptest.MustContain(t, h.Send(apptest.Admin, "/newteam South"), "Team South created")
	if !strings.Contains(h.Log.String(), "replica=test-replica") {
		t.Fatal("logs do not carry the replica name")
	}
}

// Without --webhook, run removes a webhook left by an earlier deployment
// (getUpdates would get 409 otherwise) and /readyz reports the poller.
func TestPollingRemovesWebhookAndReportsReady(t *testing.T) {
	addr := freeAddr(t)
	h := apptest.New(t, apptest.WithConfig(func(c *app.Config) { c.Serve = app.Serve{Listen: addr} }))
	apptest.MustContain(t, h.Send(apptest.Admin, "/newteam North"), "Team North created")
	if len(h.Fake.Calls("deleteWebhook")) == 0 {
		t.Fatal("run did not delete the webhook before polling")
	}
	code, body := get(t, "http://"+addr+"/readyz")
	if code != http.StatusOK || !strings.Contains(body, "ok   polling") {
		t.Fatalf("/readyz %d:\n%s", code, body)
	}
}

func TestWebhookSettingsAreChecked(t *testing.T) {
	for _, tc := range []struct {
		s    app.Serve
		want string
	}{
		{app.Serve{WebhookURL: "http://bot.example.com/x", Listen: ":8443", WebhookSecret: testSecret}, "https://"},
		{app.Serve{WebhookURL: "https://bot.example.com/x", WebhookSecret: testSecret}, "--listen :8443"},
		{app.Serve{WebhookURL: "https://bot.example.com/x", Listen: ":8443"}, "openssl rand"},
		{app.Serve{WebhookURL: "https://bot.example.com/x", Listen: ":8443", WebhookSecret: "a b"}, "openssl rand"},
	} {
		if err := tc.s.Check(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Check(%+v) = %v, want it to say %q", tc.s, err, tc.want)
		}
	}
	ok := app.Serve{WebhookURL: "https://bot.example.com/x", Listen: ":8443", WebhookSecret: testSecret}
	if err := ok.Check(); err != nil {
		t.Errorf("good settings refused: %v", err)
	}
}

// tcpProxy forwards a local port to target until broken; Restore listens on
// the same port again. It stands for a database that goes away and comes
// back, without touching the machine's PostgreSQL.
type tcpProxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{t: t, target: target, addr: freeAddr(t)}
	p.Restore()
	t.Cleanup(p.Break)
	return p
}

func (p *tcpProxy) Restore() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy listen: %v", err)
	}
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
}

// Break refuses new connections and cuts the open ones.
func (p *tcpProxy) Break() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// /readyz turns unready when PostgreSQL goes away and ready again when it is
// back, without a restart.
func TestReadyzFollowsTheDatabase(t *testing.T) {
	dsn := storagetest.PostgresDSN(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newTCPProxy(t, u.Host)
	u.Host = proxy.addr
	addr := freeAddr(t)
	h := apptest.New(t, apptest.WithDSN(u.String()), withWebhook(addr))

	ready := func() (bool, string) {
		code, body := get(t, "http://"+addr+"/readyz")
		return code == http.StatusOK, body
	}
	if ok, body := ready(); !ok {
		t.Fatalf("not ready at start:\n%s", body)
	}
	proxy.Break()
	if ok, body := ready(); ok || !strings.Contains(body, "FAIL database") {
		t.Fatalf("ready with the database gone:\n%s", body)
	}
	proxy.Restore()
	// database/sql reconnects on the next use; the first check after the
	// break may still meet a connection it has to throw away.
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, body := ready()
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready again after the database came back:\n%s", body)
		}
	}
	apptest.MustContain(t, h.Send(apptest.Admin, "/newteam North"), "Team North created")
}

// A second `salesbot run` on one SQLite file is refused with what to do.
func TestSecondReplicaOnSQLiteIsRefused(t *testing.T) {
	h := apptest.New(t)
	cfg := h.Cfg
	cfg.DB, cfg.APIURL = h.DSN, h.Fake.URL()
	a, err := app.New(context.Background(), cfg, h.Clock, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	err = a.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "SQLite serves one replica") || !strings.Contains(err.Error(), "postgres://") {
		t.Fatalf("second replica on SQLite: %v", err)
	}
	// The first one is unaffected.
	apptest.MustContain(t, h.Send(apptest.Admin, "/newteam North"), "Team North created")
}

// The follow-up, outbox and report series move with what the bot does: a
// due reminder counts as due, then queued (the queue's depth, while its
// send waits out a failure), then sent and late; the digest and summary as
// sent reports.
func TestMetricsFollowUpsReportsAndQueueDepth(t *testing.T) {
	addr := freeAddr(t)
	h := apptest.New(t, withWebhook(addr))
	rep := tgfake.User{ID: 301, FirstName: "Ann", LanguageCode: "en"}
	mgr := tgfake.User{ID: 302, FirstName: "Mia", LanguageCode: "en"}
	h.Member(rep, "North", "rep")
	h.Member(mgr, "North", "manager")
	apptest.MustContain(t, h.Send(rep, "/remind in 1 hour call Li"), "call Li")
	scrape := func(want ...string) {
		t.Helper()
		code, body := get(t, "http://"+addr+"/metrics")
		if code != http.StatusOK {
			t.Fatalf("/metrics %d", code)
		}
		for _, w := range want {
			if !strings.Contains(body, w+"\n") {
				t.Errorf("/metrics lacks %q", w)
			}
		}
	}
	h.Clock.Advance(70 * time.Minute) // 10 minutes late: the bot was "down"
	scrape(`salesbot_followups_due 1`, `salesbot_outbox_queue_depth{priority="bulk"} 0`)

	h.Fake.FailNextN("sendMessage", 5, tgfake.ServerError()) // the outbox's tries; the queue waits 30 s
	if st := h.Tick(); st.Queued != 1 || st.Sent != 0 {
		t.Fatalf("tick: %+v", st)
	}
	scrape(`salesbot_followups_due 0`, `salesbot_outbox_queue_depth{priority="bulk"} 1`,
		`salesbot_outbox_queue_depth{priority="interactive"} 0`, `salesbot_followups_total{outcome="queued"} 1`)

	h.Clock.Advance(time.Minute)
	h.App.Queue.Wake()
	h.Flush()
	scrape(`salesbot_outbox_queue_depth{priority="bulk"} 0`, `salesbot_followups_total{outcome="sent"} 1`,
		`salesbot_followups_total{outcome="late"} 1`)

	// The day's digest and the week's summary (due Monday 09:00) to Mia.
	h.Clock.Set(time.Date(2026, 11, 23, 18, 31, 0, 0, time.UTC))
	if err := h.App.RunJob(t.Context(), app.JobReports); err != nil {
		t.Fatal(err)
	}
	apptest.MustContain(t, h.Fake.SentTo(mgr.ID), "daily digest")
	scrape(`salesbot_reports_sent_total{kind="digest"} 1`, `salesbot_reports_sent_total{kind="summary"} 1`)
}
