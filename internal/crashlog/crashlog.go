// Package crashlog tells a restarted process how the runs before it
// ended: crashed (an unhandled panic or a fatal runtime error — a stack
// overflow, out of memory, a fault in cgo — which the Go runtime writes to
// the crash output set by runtime/debug.SetCrashOutput), or stopped from
// outside (SIGKILL, the OOM killer, a power cut), which leaves nothing.
//
// Each run keeps an empty file in a directory, locked while it lives. At
// start a run reads the files whose lock is free: their runs are dead, and
// an empty one was stopped, a non-empty one crashed. The inbox gives up on
// an update only when the process crashed while handling it, never because
// kills from outside happened to land while it ran.
package crashlog

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// maxOutput is how much of a crash's output is kept for the log: the
// runtime writes the panic first, then every goroutine's stack.
const maxOutput = 16 << 10

// Run is an earlier run of the program found dead at start.
type Run struct {
	// Owner is the name the run went by (Open's owner).
	Owner string
	// Output is what the runtime wrote when it crashed; empty when it was
	// stopped from outside.
	Output string
}

// Crashed reports whether the run ended in a crash of its own.
func (r Run) Crashed() bool { return strings.TrimSpace(r.Output) != "" }

// Log is this run's crash file.
type Log struct {
	path string
	f    *os.File
}

// Open makes dir if needed, collects the dead runs' files (removing them)
// and creates this run's, named by owner and locked for as long as the
// file stays open. Runs still alive (their file locked, e.g. another
// replica on this host) are left alone.
func Open(dir, owner string) (*Log, []Run, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("make crash directory: %w", err)
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.crash"))
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(names)
	var dead []Run
	self := filepath.Join(dir, hex.EncodeToString([]byte(owner))+".crash")
	for _, name := range names {
		// A dead run of this run's own name is read like the others.
		run, ok, err := collect(name)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			dead = append(dead, run)
		}
	}
	f, err := os.OpenFile(self, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("create crash file: %w", err)
	}
	if err := lock(f); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("lock crash file %s: %w (is another process of the same name running?)", self, err)
	}
	return &Log{path: self, f: f}, dead, nil
}

// collect reads and removes a dead run's file; ok is false when its run
// is alive.
func collect(name string) (run Run, ok bool, err error) {
	f, err := os.Open(name)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return Run{}, false, nil
		}
		return Run{}, false, fmt.Errorf("open crash file: %w", err)
	}
	defer f.Close()
	if err := lock(f); err != nil {
		return Run{}, false, nil // held: that run is alive
	}
	owner, err := hex.DecodeString(strings.TrimSuffix(filepath.Base(name), ".crash"))
	if err != nil {
		owner = []byte(filepath.Base(name))
	}
	out, err := io.ReadAll(io.LimitReader(f, maxOutput))
	if err != nil {
		return Run{}, false, fmt.Errorf("read crash file: %w", err)
	}
	if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
		return Run{}, false, fmt.Errorf("remove crash file: %w", err)
	}
	return Run{Owner: string(owner), Output: string(out)}, true, nil
}

// File is where the runtime should write a crash (debug.SetCrashOutput).
func (l *Log) File() *os.File { return l.f }

// Close ends the run cleanly: its file goes, so no later run reads it.
func (l *Log) Close() error {
	if l == nil || l.f == nil {
		return nil
	}
	f := l.f
	l.f = nil
	err := os.Remove(l.path)
	return errors.Join(err, f.Close())
}

// Abandon lets go of the file as a dying process would, leaving it for
// the next run to read (crash tests in one process).
func (l *Log) Abandon() {
	if l == nil || l.f == nil {
		return
	}
	l.f.Close()
	l.f = nil
}

// Crash writes output as the runtime writes a crash, then abandons the
// file: crash tests in one process use it to die the way a panicking
// handler would.
func (l *Log) Crash(output string) error {
	if l == nil || l.f == nil {
		return errors.New("crash log is closed")
	}
	_, err := l.f.WriteString(output)
	l.Abandon()
	return err
}
