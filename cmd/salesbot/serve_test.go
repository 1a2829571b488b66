package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"salesbot/internal/tgfake"
)

func TestWebhookFlagsAreChecked(t *testing.T) {
	t.Setenv("TELEGRAM_BOT_TOKEN", "1:x")
	t.Setenv("SALESBOT_WEBHOOK_SECRET", "")
	t.Setenv("SALESBOT_WEBHOOK_SECRET_FILE", "")
	db := filepath.Join(t.TempDir(), "x.db")
	for _, tc := range []struct {
		args []string
		env  string
		want string
	}{
		{[]string{"--webhook", "https://bot.example.com/tg", "--listen", ":0"}, "", "openssl rand -hex 32"},
		{[]string{"--webhook", "https://bot.example.com/tg"}, "abc", "--listen :8443"},
		{[]string{"--webhook", "bot.example.com/tg", "--listen", ":0"}, "abc", "https://bot.example.com/telegram"},
		{[]string{"--webhook", "https://bot.example.com/tg", "--listen", ":0", "--max-connections", "500"}, "abc", "1–100"},
		{[]string{"--tls-cert", "c.pem"}, "", "--tls-key"},
	} {
		t.Setenv("SALESBOT_WEBHOOK_SECRET", tc.env)
		err := Main(context.Background(), append([]string{"run", "--db", db}, tc.args...), nil, &bytes.Buffer{}, &bytes.Buffer{})
		if exitCode(err) != 2 || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run %v: %v, want a usage error saying %q", tc.args, err, tc.want)
		}
	}
}

// `salesbot run --webhook … --listen …` registers the webhook with the
// secret from its file and answers what Telegram delivers, behind a proxy
// (plain HTTP) or on a direct HTTPS port.
func TestRunByWebhook(t *testing.T) {
	t.Run("http", func(t *testing.T) { runByWebhook(t, false) })
	t.Run("tls", func(t *testing.T) { runByWebhook(t, true) })
}

func runByWebhook(t *testing.T, direct bool) {
	dir := t.TempDir()
	scheme, extra := "http", []string(nil)
	var opts []tgfake.Option
	if direct {
		cert, key, pool := selfSigned(t, dir)
		scheme, extra = "https", []string{"--tls-cert", cert, "--tls-key", key}
		opts = append(opts, tgfake.WithWebhookClient(&http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}))
	}
	fake := tgfake.New(opts...)
	defer fake.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte("file-secret_1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TELEGRAM_BOT_TOKEN", "1:run-token")
	t.Setenv("SALESBOT_WEBHOOK_SECRET", "env-secret-loses")
	t.Setenv("SALESBOT_LISTEN", addr)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var errOut bytes.Buffer
	go func() {
		done <- Main(ctx, append([]string{"run", "--db", filepath.Join(dir, "run.db"), "--api-url", fake.URL(), "--admins", "77",
			"--webhook", scheme + "://" + addr + "/tg", "--webhook-secret-file", secretFile, "--replica", "r1"}, extra...), nil, &bytes.Buffer{}, &errOut)
	}()
	wait, stop := context.WithTimeout(ctx, 20*time.Second)
	defer stop()
	if err := fake.WaitWebhook(wait); err != nil {
		t.Fatalf("no webhook registered: %v\n%s", err, errOut.String())
	}
	fake.SendText(tgfake.User{ID: 77, FirstName: "Ann"}, "/newteam North")
	for len(fake.SentTo(77)) == 0 {
		select {
		case <-fake.Notify():
		case <-wait.Done():
			t.Fatalf("no answer by webhook\n%s", errOut.String())
		}
	}
	if got := fake.SentTo(77)[0].Text; !strings.Contains(got, "Team North created") {
		t.Fatalf("answer %q", got)
	}
	for _, d := range fake.Deliveries() {
		if d.Status != 200 {
			t.Fatalf("delivery answered %d: the secret from the file was not used", d.Status)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	if log := errOut.String(); !strings.Contains(log, "replica=r1") || strings.Contains(log, "file-secret_1") {
		t.Fatalf("log:\n%s", log)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns a
// pool that trusts it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "salesbot test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
