package files

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// setServed puts path and data in the fake memory and sets the file.
func setServed(env fakeEnv, t *Served, path, data string) unix.Errno {
	env.put(memBase, []byte(path))
	env.put(memBase+ServedPathMax, []byte(data))
	return SetServed(env, t, memBase, uint64(len(path)), memBase+ServedPathMax, uint64(len(data)))
}

// TestServed: a set file is found by its exact path and replaced by the
// next set of that path; bad arguments change nothing; the table holds
// MaxServed paths.
func TestServed(t *testing.T) {
	env := newEnv(2 * ServedDataMax)
	tab := new(Served)
	tab.Put(0, "/etc/passwd", "root\n")
	wantErrno(t, "set", setServed(env, tab, "/etc/hosts", "127.0.0.1 localhost\n"), 0)
	wantErrno(t, "replace", setServed(env, tab, "/etc/hosts", "::1 localhost\n"), 0)
	for path, want := range map[string]string{"/etc/passwd": "root\n", "/etc/hosts": "::1 localhost\n"} {
		if i, ok := tab.Lookup([]byte(path)); !ok || string(tab.Data(i)) != want {
			t.Errorf("%s: found %v, %q; want %q", path, ok, tab.Data(i), want)
		}
	}
	for _, path := range []string{"/etc/host", "/etc/hosts/", "etc/hosts", ""} {
		if _, ok := tab.Lookup([]byte(path)); ok {
			t.Errorf("%q found", path)
		}
	}
	wantErrno(t, "relative path", setServed(env, tab, "etc/x", "x"), unix.EINVAL)
	wantErrno(t, "empty path", setServed(env, tab, "", "x"), unix.EINVAL)
	wantErrno(t, "long path", setServed(env, tab, "/"+strings.Repeat("x", ServedPathMax), "x"), unix.EINVAL)
	wantErrno(t, "long data", SetServed(env, tab, memBase, 2, memBase, ServedDataMax+1), unix.EINVAL)
	env.put(memBase, []byte("/etc/y"))
	wantErrno(t, "bad data address", SetServed(env, tab, memBase, 6, 8, 1), unix.EFAULT)
	if _, ok := tab.Lookup([]byte("/etc/y")); ok {
		t.Error("a file whose data faulted is served")
	}
	for i := 2; i < MaxServed; i++ {
		wantErrno(t, "fill", setServed(env, tab, "/f/"+string(rune('a'+i)), "x"), 0)
	}
	wantErrno(t, "one too many", setServed(env, tab, "/f/full", "x"), unix.ENOSPC)
	wantErrno(t, "replace in a full table", setServed(env, tab, "/etc/hosts", ""), 0)
	if i, _ := tab.Lookup([]byte("/etc/hosts")); len(tab.Data(i)) != 0 {
		t.Errorf("emptied file holds %q", tab.Data(i))
	}
}
