package crashlog

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The child process of the tests below: it opens the crash log in the
// directory its parent names, tells the runtime to write crashes there,
// then dies the way SALESBOT_CRASHLOG_CHILD says.
func TestMain(m *testing.M) {
	if how := os.Getenv("SALESBOT_CRASHLOG_CHILD"); how != "" {
		l, _, err := Open(os.Getenv("SALESBOT_CRASHLOG_DIR"), "child")
		if err != nil {
			os.Exit(3)
		}
		debug.SetCrashOutput(l.File(), debug.CrashOptions{})
		os.Stdout.WriteString("ready\n")
		switch how {
		case "panic":
			go func() { panic("boom in a handler") }()
		case "clean":
			l.Close()
			os.Exit(0)
		}
		time.Sleep(time.Minute) // "wait": the parent kills it
		os.Exit(4)
	}
	os.Exit(m.Run())
}

func child(t *testing.T, dir, how string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SALESBOT_CRASHLOG_CHILD="+how, "SALESBOT_CRASHLOG_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	if _, err := out.Read(buf); err != nil || string(buf) != "ready\n" {
		t.Fatalf("child did not start: %q %v", buf, err)
	}
	return cmd
}

// A real process that panics is found crashed by the next run, with the
// runtime's output; one killed by SIGKILL is found stopped, with none; one
// that ends cleanly leaves nothing to find.
func TestTellsCrashFromKill(t *testing.T) {
	for _, tc := range []struct {
		how     string
		crashed bool
		found   bool
	}{
		{"panic", true, true},
		{"wait", false, true},
		{"clean", false, false},
	} {
		t.Run(tc.how, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "crashes")
			cmd := child(t, dir, tc.how)
			if tc.how == "wait" {
				_ = cmd.Process.Signal(syscall.SIGKILL)
			}
			_ = cmd.Wait()
			l, dead, err := Open(dir, "next")
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if !tc.found {
				if len(dead) != 0 {
					t.Fatalf("a clean stop left %+v", dead)
				}
				return
			}
			if len(dead) != 1 || dead[0].Owner != "child" {
				t.Fatalf("dead runs: %+v, want the child's", dead)
			}
			if dead[0].Crashed() != tc.crashed {
				t.Fatalf("crashed = %v, want %v; output %q", dead[0].Crashed(), tc.crashed, dead[0].Output)
			}
			if tc.crashed && !strings.Contains(dead[0].Output, "panic: boom in a handler") {
				t.Fatalf("crash output: %q", dead[0].Output)
			}
			// Read once: the next run finds nothing more.
			l2, again, err := Open(dir, "after")
			if err != nil {
				t.Fatal(err)
			}
			l2.Close()
			if len(again) != 0 {
				t.Fatalf("read twice: %+v", again)
			}
		})
	}
}

// A run that is alive (another replica on this host) is not taken for
// dead, and its file stays.
func TestLiveRunIsLeftAlone(t *testing.T) {
	dir := t.TempDir()
	live, _, err := Open(dir, "live")
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	other, dead, err := Open(dir, "other")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if len(dead) != 0 {
		t.Fatalf("a live run was read as dead: %+v", dead)
	}
	if _, err := os.Stat(live.path); err != nil {
		t.Fatalf("the live run's file: %v", err)
	}
}
