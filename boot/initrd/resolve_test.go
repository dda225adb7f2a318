package initrd

import "testing"

func TestResolve(t *testing.T) {
	tests := []struct{ cwd, path, want string }{
		{"/", "a", "/a"},
		{"/usr", "bin/sh", "/usr/bin/sh"},
		{"/usr", "/etc/passwd", "/etc/passwd"},
		{"/usr/lib", "../bin/./sh", "/usr/bin/sh"},
		{"/usr", "../../../..", "/"},
		{"/usr", "", "/usr"},
		{"/usr", ".", "/usr"},
		{"/", "//a//b//", "/a/b"},
		{"usr//lib/", "x", "/usr/lib/x"}, // a sloppy cwd is cleaned too
		{"/a/b", "../../c/..", "/"},
		{"", "", "/"},
		{"/a", "...", "/a/..."},
	}
	for _, tt := range tests {
		buf := make([]byte, 64)
		got, ok := Resolve([]byte(tt.cwd), []byte(tt.path), buf)
		if !ok || string(got) != tt.want {
			t.Errorf("Resolve(%q, %q) = %q, %v; want %q", tt.cwd, tt.path, got, ok, tt.want)
		}
	}
}

func TestResolveShortBuffer(t *testing.T) {
	for _, tt := range []struct {
		cwd, path string
		size      int
		ok        bool
	}{
		{"/", "abc", 4, true},
		{"/", "abc", 3, false},
		{"/", "", 1, true},
		{"/", "", 0, false},
		{"/abc", "..", 0, false},         // the cwd does not fit on the way
		{"/", "longname/../x", 4, false}, // nor an intermediate result
		{"/", "x/../ab", 3, true},
	} {
		got, ok := Resolve([]byte(tt.cwd), []byte(tt.path), make([]byte, tt.size))
		if ok != tt.ok {
			t.Errorf("Resolve(%q, %q) into %d bytes = %q, %v", tt.cwd, tt.path, tt.size, got, ok)
		}
	}
}

func TestReadDirCookies(t *testing.T) {
	a := index(t, sample(t))
	for dir := range a.Len() {
		if !a.IsDir(dir) {
			continue
		}
		// The whole listing from cookie 0, with each entry's cookie.
		type item struct {
			name   string
			cookie int64
		}
		var all []item
		cookie := int64(0)
		end := a.ReadDir(dir, 0, func(d DirEntry) bool {
			all = append(all, item{string(d.Name), cookie})
			cookie = d.Next
			return true
		})
		if len(all) < 2 || all[0].name != "." || all[1].name != ".." || end != cookie {
			t.Fatalf("dir %d: %v, end %d", dir, all, end)
		}
		if again := a.ReadDir(dir, end, func(DirEntry) bool { t.Fatal("visited past the end"); return true }); again != end {
			t.Errorf("end cookie moved to %d", again)
		}
		// Taking k entries at a time gives the same listing.
		for k := 1; k <= 3; k++ {
			var got []string
			for c := int64(0); c != end; {
				taken := 0
				next := a.ReadDir(dir, c, func(d DirEntry) bool {
					if taken == k {
						return false
					}
					taken++
					got = append(got, string(d.Name))
					return true
				})
				if next == c && taken == 0 {
					t.Fatalf("dir %d: stuck at cookie %d", dir, c)
				}
				c = next
			}
			if len(got) != len(all) {
				t.Fatalf("dir %d by %d: %q", dir, k, got)
			}
			for i := range got {
				if got[i] != all[i].name {
					t.Fatalf("dir %d by %d: %q", dir, k, got)
				}
			}
		}
		// Any cookie, even one never handed out, lists a suffix of the
		// directory.
		for c := int64(-1); c < int64(a.Len()+4); c++ {
			a.ReadDir(dir, c, func(d DirEntry) bool {
				found := false
				for _, it := range all {
					found = found || it.name == string(d.Name)
				}
				if !found {
					t.Fatalf("dir %d cookie %d: stray %q", dir, c, d.Name)
				}
				return true
			})
		}
	}
	root := mustLookup(t, a, "/")
	var dotdot DirEntry
	a.ReadDir(root, 1, func(d DirEntry) bool { dotdot = d; return false })
	if dotdot.Ino != a.Stat(root).Ino || string(dotdot.Name) != ".." {
		t.Errorf("/.. = %+v", dotdot)
	}
}
