//go:build linux

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// mountAll mounts /proc, /sys and /dev.
func mountAll() error {
	var errs []error
	for _, m := range []struct{ fs, dir string }{{"proc", "/proc"}, {"sysfs", "/sys"}, {"devtmpfs", "/dev"}} {
		os.MkdirAll(m.dir, 0o755)
		if err := unix.Mount(m.fs, m.dir, m.fs, 0, ""); err != nil && err != unix.EBUSY {
			errs = append(errs, fmt.Errorf("mount %s: %w", m.dir, err))
		}
	}
	return errors.Join(errs...)
}

// loadModules loads dir/NAME.ko for each name in order; one already
// loaded is fine.
func loadModules(dir string, names []string) error {
	for _, name := range names {
		f, err := os.Open(filepath.Join(dir, name+".ko"))
		if err != nil {
			return err
		}
		err = unix.FinitModule(int(f.Fd()), "", 0)
		f.Close()
		if err != nil && err != unix.EEXIST {
			return fmt.Errorf("loading module %s: %w", name, err)
		}
	}
	return nil
}

// waitForInterface waits for the driver to register the interface.
func waitForInterface(name string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		if _, err := os.Stat(filepath.Join("/sys/class/net", name)); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no interface %s after %v", name, d)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
