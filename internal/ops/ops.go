// Package ops serves what an operator and a load balancer ask of a running
// salesbot on its --listen address: the Telegram webhook endpoint,
// /healthz (the process is up), /readyz (it can do its work: database
// reachable, schema at this binary's version, updates arriving) and
// /metrics (Prometheus).
package ops

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"salesbot/internal/metrics"
)

// Check is one condition of readiness. Run returns nil when it holds; its
// error is shown on /readyz, so it must not carry secrets.
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// CheckTimeout bounds each readiness check, so a database that hangs makes
// /readyz answer "not ready" instead of not answering.
const CheckTimeout = 2 * time.Second

// Config is what the server serves.
type Config struct {
	// Addr is the listen address, e.g. ":8443" or "127.0.0.1:9090".
	Addr string
	// TLSCert and TLSKey serve HTTPS directly (both or neither); without
	// them a reverse proxy terminates TLS.
	TLSCert, TLSKey string
	// Webhook, if set, is served at WebhookPath.
	Webhook     http.Handler
	WebhookPath string
	Metrics     *metrics.Metrics
	Checks      []Check
	Log         *slog.Logger
}

// Server is the listening HTTP server.
type Server struct {
	cfg  Config
	ln   net.Listener
	srv  *http.Server
	done chan error
}

// Listen binds the address (so a port already taken fails the start) and
// starts serving.
func Listen(cfg Config) (*Server, error) {
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		return nil, errors.New("--tls-cert and --tls-key go together (both files, or neither behind a TLS-terminating proxy)")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) { serveReady(w, r, cfg.Checks) })
	if cfg.Metrics != nil {
		mux.Handle("GET /metrics", cfg.Metrics.Handler())
	}
	if cfg.Webhook != nil {
		path := cfg.WebhookPath
		if path == "" {
			path = "/"
		}
		// Every method, so the receiver can answer a GET with 405 itself.
		mux.Handle(path, cfg.Webhook)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	s := &Server{
		cfg: cfg, ln: ln, done: make(chan error, 1),
		srv: &http.Server{
			Handler: mux,
			// Telegram and probes send small requests; slow clients are cut
			// off rather than holding connections.
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       2 * time.Minute,
		},
	}
	go func() {
		var err error
		if cfg.TLSCert != "" {
			err = s.srv.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
		} else {
			err = s.srv.Serve(ln)
		}
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		s.done <- err
	}()
	cfg.Log.Info("listening", "addr", ln.Addr().String(), "tls", cfg.TLSCert != "", "webhook_path", cfg.WebhookPath)
	return s, nil
}

// Addr is the address actually bound (with the port when ":0" was asked).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Shutdown stops accepting, lets requests in flight finish within ctx, and
// returns why serving ended (nil for a normal stop).
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if serveErr := <-s.done; serveErr != nil {
		return fmt.Errorf("serve %s: %w", s.cfg.Addr, serveErr)
	}
	return err
}

// serveReady runs the checks in parallel and answers 200 if all hold, 503
// otherwise, with one line per check.
func serveReady(w http.ResponseWriter, r *http.Request, checks []Check) {
	errs := make([]error, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(r.Context(), CheckTimeout)
			defer cancel()
			errs[i] = c.Run(ctx)
		}()
	}
	wg.Wait()
	var b strings.Builder
	ready := true
	for i, c := range checks {
		if errs[i] != nil {
			ready = false
			fmt.Fprintf(&b, "FAIL %s: %v\n", c.Name, errs[i])
		} else {
			fmt.Fprintf(&b, "ok   %s\n", c.Name)
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_, _ = w.Write([]byte(b.String()))
}
