package kernel

import (
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

// TestSetIDs checks setuid, setreuid and setresuid's rules (the group
// calls share them) against what Linux does for each case.
func TestSetIDs(t *testing.T) {
	root := ids{0, 0, 0}
	user := ids{1000, 1000, 1000}
	setuidRoot := ids{1000, 0, 0} // a set-user-ID-root program's start
	for _, c := range []struct {
		name    string
		from    ids
		call    func(x *ids, privileged bool) unix.Errno
		want    ids
		wantErr unix.Errno
	}{
		{"root setuid", root, func(x *ids, p bool) unix.Errno { return x.set(1000, p) }, user, 0},
		{"root setuid(-1)", root, func(x *ids, p bool) unix.Errno { return x.set(noID, p) }, root, unix.EINVAL},
		{"user setuid to itself", user, func(x *ids, p bool) unix.Errno { return x.set(1000, p) }, user, 0},
		{"user setuid(0)", user, func(x *ids, p bool) unix.Errno { return x.set(0, p) }, user, unix.EPERM},
		{"user setuid to other", user, func(x *ids, p bool) unix.Errno { return x.set(1001, p) }, user, unix.EPERM},
		{"unprivileged setuid to saved", ids{1000, 1001, 0}, func(x *ids, p bool) unix.Errno { return x.set(0, p) }, ids{1000, 0, 0}, 0},
		{"setuid-root drops euid", setuidRoot, func(x *ids, p bool) unix.Errno { return x.setRE(noID, 1000, p) }, ids{1000, 1000, 0}, 0},
		{"setreuid swaps", setuidRoot, func(x *ids, p bool) unix.Errno { return x.setRE(0, 1000, p) }, ids{0, 1000, 1000}, 0},
		{"user setreuid(-1,0)", user, func(x *ids, p bool) unix.Errno { return x.setRE(noID, 0, p) }, user, unix.EPERM},
		{"user setreuid(-1,-1)", user, func(x *ids, p bool) unix.Errno { return x.setRE(noID, noID, p) }, user, 0},
		{"user setreuid real to other", user, func(x *ids, p bool) unix.Errno { return x.setRE(5, noID, p) }, user, unix.EPERM},
		{"root setresuid", root, func(x *ids, p bool) unix.Errno { return x.setRES(1, 2, 3, p) }, ids{1, 2, 3}, 0},
		{"user setresuid among its own", ids{1, 2, 3}, func(x *ids, p bool) unix.Errno { return x.setRES(3, 1, noID, p) }, ids{3, 1, 3}, 0},
		{"user setresuid to other", ids{1, 2, 3}, func(x *ids, p bool) unix.Errno { return x.setRES(noID, 4, noID, p) }, ids{1, 2, 3}, unix.EPERM},
	} {
		if e := c.call(&c.from, c.from.eff == 0); e != c.wantErr || c.from != c.want {
			t.Errorf("%s: %+v, %v; want %+v, %v", c.name, c.from, e, c.want, c.wantErr)
		}
	}
}

func TestSetGroups(t *testing.T) {
	var c creds
	if e := c.setGroups([]uint32{30, 10, 20}); e != 0 {
		t.Fatalf("root setgroups: %v", e)
	}
	if got := c.groups[:c.ngroups]; !slices.Equal(got, []uint32{10, 20, 30}) {
		t.Errorf("groups %v, want them sorted", got)
	}
	if e := c.setGroups(make([]uint32, ngroupsMax+1)); e != unix.EINVAL {
		t.Errorf("%d groups: %v, want EINVAL", ngroupsMax+1, e)
	}
	c.uid.set(1000, true)
	if e := c.setGroups(nil); e != unix.EPERM || c.ngroups != 3 {
		t.Errorf("unprivileged setgroups: %v, %d groups left; want EPERM, 3", e, c.ngroups)
	}
}

func TestMayPrlimit(t *testing.T) {
	root := creds{}
	a := creds{uid: ids{1000, 1000, 1000}, gid: ids{100, 100, 100}}
	for _, c := range []struct {
		name         string
		from, target creds
		want         bool
	}{
		{"root to user", root, a, true},
		{"user to root", a, root, false},
		{"user to itself", a, a, true},
		{"user to a set-user-ID one", a, creds{uid: ids{1000, 0, 0}, gid: a.gid}, false},
		{"user to another group", a, creds{uid: a.uid, gid: ids{100, 100, 101}}, false},
		{"effective root to user", creds{uid: ids{1000, 0, 1000}}, a, true},
	} {
		if got := c.from.mayPrlimit(&c.target); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestMayKill(t *testing.T) {
	root := creds{}
	a := creds{uid: ids{1000, 1000, 1000}}
	b := creds{uid: ids{1001, 1001, 1001}}
	setuidA := creds{uid: ids{1001, 1000, 1000}}
	for _, c := range []struct {
		name         string
		from, target *creds
		want         bool
	}{
		{"root to user", &root, &a, true},
		{"user to root", &a, &root, false},
		{"user to itself", &a, &a, true},
		{"user to other", &a, &b, false},
		{"real uid matches", &setuidA, &b, true},
		{"effective uid matches", &setuidA, &a, true},
	} {
		if got := c.from.mayKill(c.target); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
