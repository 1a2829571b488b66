//go:build unix

package crashlog

import (
	"os"
	"syscall"
)

// lock takes f's exclusive lock without waiting. The kernel drops it when
// the process dies, however it dies.
func lock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) }
