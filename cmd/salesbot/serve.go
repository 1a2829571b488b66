package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"salesbot/internal/app"
)

// serving are run's settings for webhook mode and the --listen endpoints.
type serving struct {
	listen, webhookURL, secretFile string
	maxConnections                 int
	tlsCert, tlsKey, replica       string
}

func (s *serving) register(fs *flag.FlagSet) {
	fs.StringVar(&s.listen, "listen", os.Getenv("SALESBOT_LISTEN"), "address to serve the webhook, /healthz, /readyz and /metrics on, e.g. :8443 (env SALESBOT_LISTEN)")
	fs.StringVar(&s.webhookURL, "webhook", os.Getenv("SALESBOT_WEBHOOK_URL"), "receive updates by webhook at this https:// URL instead of polling (env SALESBOT_WEBHOOK_URL)")
	fs.StringVar(&s.secretFile, "webhook-secret-file", os.Getenv("SALESBOT_WEBHOOK_SECRET_FILE"), "file holding the webhook secret (env SALESBOT_WEBHOOK_SECRET_FILE; else env SALESBOT_WEBHOOK_SECRET)")
	fs.IntVar(&s.maxConnections, "max-connections", envInt("SALESBOT_WEBHOOK_MAX_CONNECTIONS", 40), "webhook deliveries Telegram makes at once, 1-100 (env SALESBOT_WEBHOOK_MAX_CONNECTIONS)")
	fs.StringVar(&s.tlsCert, "tls-cert", os.Getenv("SALESBOT_TLS_CERT"), "serve --listen as HTTPS with this certificate file (env SALESBOT_TLS_CERT)")
	fs.StringVar(&s.tlsKey, "tls-key", os.Getenv("SALESBOT_TLS_KEY"), "the certificate's key file (env SALESBOT_TLS_KEY)")
	fs.StringVar(&s.replica, "replica", os.Getenv("SALESBOT_REPLICA"), "this replica's name in logs and metrics; default host-pid (env SALESBOT_REPLICA)")
}

// config checks the settings and reads the secret; the secret is never
// printed.
func (s *serving) config() (app.Serve, error) {
	out := app.Serve{
		Listen: s.listen, WebhookURL: s.webhookURL, MaxConnections: s.maxConnections,
		TLSCert: s.tlsCert, TLSKey: s.tlsKey, Replica: s.replica, Version: version,
	}
	if (s.tlsCert == "") != (s.tlsKey == "") {
		return out, usageError{"--tls-cert and --tls-key go together, e.g. --tls-cert /etc/salesbot/cert.pem --tls-key /etc/salesbot/key.pem"}
	}
	if s.webhookURL == "" {
		return out, nil
	}
	out.WebhookSecret = strings.TrimSpace(os.Getenv("SALESBOT_WEBHOOK_SECRET"))
	if s.secretFile != "" {
		data, err := os.ReadFile(s.secretFile)
		if err != nil {
			return out, usageError{fmt.Sprintf("can't read the webhook secret file: %v", err)}
		}
		out.WebhookSecret = strings.TrimSpace(string(data))
	}
	if out.WebhookSecret == "" {
		return out, usageError{"a webhook needs a secret: set SALESBOT_WEBHOOK_SECRET or pass --webhook-secret-file PATH (make one with: openssl rand -hex 32)"}
	}
	if err := out.Check(); err != nil {
		return out, usageError{err.Error()}
	}
	return out, nil
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}
