package initrd

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestModel indexes random archives, with odd spellings, duplicates and
// missing directories, and compares the result with a model built from
// path.Clean and maps.
func TestModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	parts := []string{"a", "b", "ab", "b-c", ".", "..", ""}
	for iter := range 2000 {
		type file struct {
			mode uint32
			data string
		}
		files := map[string]file{}
		var ar []byte
		for k := range rng.IntN(12) {
			var name []string
			if rng.IntN(4) == 0 {
				name = append(name, "")
			}
			for range 1 + rng.IntN(4) {
				name = append(name, parts[rng.IntN(len(parts))])
			}
			raw := strings.Join(name, "/")
			if raw == "" {
				raw = "."
			}
			f := file{unix.S_IFDIR | 0o700, ""}
			switch rng.IntN(4) {
			case 0:
				f = file{unix.S_IFREG | 0o644, fmt.Sprint("data", k)}
			case 1:
				f = file{unix.S_IFLNK | 0o777, "target"}
			}
			ar = append(ar, rawRecord(hdr{mode: f.mode}, raw, -1, []byte(f.data))...)
			files[path.Clean("/"+raw)] = f
		}
		ar = append(ar, trailerRecord()...)

		// The model: implied directories, and the error the files imply.
		var wantErr error
		if f, ok := files["/"]; ok && f.mode&unix.S_IFMT != unix.S_IFDIR {
			wantErr = ErrRootNotDir
		}
		all := map[string]file{"/": {unix.S_IFDIR | 0o755, ""}}
		for p, f := range files {
			all[p] = f
		}
		for p := range files {
			for d := path.Dir(p); d != "/"; d = path.Dir(d) {
				if f, ok := files[d]; ok && f.mode&unix.S_IFMT != unix.S_IFDIR && wantErr == nil {
					wantErr = ErrNotDir
				}
				if _, ok := files[d]; !ok {
					all[d] = file{unix.S_IFDIR | 0o755, ""}
				}
			}
		}

		n, err := Count(ar)
		if err != nil {
			t.Fatalf("iter %d: Count: %v", iter, err)
		}
		var a Archive
		err = a.Init(ar, make([]Entry, n))
		if !errors.Is(err, wantErr) {
			t.Fatalf("iter %d: Init: %v, want %v; files %v", iter, err, wantErr, files)
		}
		if err != nil {
			continue
		}
		checkTree(t, &a)
		if a.Len() != len(all) {
			t.Fatalf("iter %d: %d entries, want %d: %v", iter, a.Len(), len(all), all)
		}
		children := map[string][]string{}
		for p, f := range all {
			i := mustLookup(t, &a, p)
			if a.Mode(i) != f.mode || string(a.Data(i)) != f.data {
				t.Fatalf("iter %d: %s: mode %o data %q, want %+v", iter, p, a.Mode(i), a.Data(i), f)
			}
			if p != "/" {
				children[path.Dir(p)] = append(children[path.Dir(p)], fmt.Sprintf("%s %d", path.Base(p), f.mode>>12))
			}
		}
		for p, f := range all {
			if f.mode&unix.S_IFMT != unix.S_IFDIR {
				continue
			}
			want := children[p]
			slices.Sort(want)
			if got := listing(&a, mustLookup(t, &a, p)); !slices.Equal(got, want) {
				t.Fatalf("iter %d: %s lists %q, want %q", iter, p, got, want)
			}
		}
	}
}
