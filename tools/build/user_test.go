package build

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/u-root/u-root/pkg/cpio"

	"warren.dev/proc"
	"warren.dev/proc/proctest"
)

func TestParseUserProgram(t *testing.T) {
	for in, want := range map[string]UserProgram{
		"./echo-server":             {Path: "./echo-server"},
		" ./echo-server -port 7 ":   {Path: "./echo-server", Args: []string{"-port", "7"}},
		"/bin/x\ta  b\n":            {Path: "/bin/x", Args: []string{"a", "b"}},
		"prog --flag=\"two words\"": {Path: "prog", Args: []string{"--flag=\"two", "words\""}},
	} {
		got, err := ParseUserProgram(in)
		if err != nil || got.Path != want.Path || !slices.Equal(got.Args, want.Args) {
			t.Errorf("%q: got %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "  \t"} {
		if _, err := ParseUserProgram(in); err == nil || !strings.Contains(err.Error(), "-user "+strconv.Quote(in)) {
			t.Errorf("%q: got %v, want an error naming the value", in, err)
		}
	}
}

func TestWriteUserArchive(t *testing.T) {
	exe := proctest.Build(t, proctest.Go)
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	// Another file with the same base name, and the first one again.
	other := filepath.Join(t.TempDir(), filepath.Base(exe))
	if err := os.WriteFile(other, data, 0o755); err != nil {
		t.Fatal(err)
	}
	progs := []UserProgram{
		{Path: exe, Args: []string{"-port", "7"}},
		{Path: other},
		{Path: exe, Args: []string{"again"}},
	}
	var buf bytes.Buffer
	if err := writeUserArchive(&buf, progs); err != nil {
		t.Fatal(err)
	}
	recs, err := cpio.ReadAllRecords(cpio.Newc.Reader(bytes.NewReader(buf.Bytes())))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	files := map[string]cpio.Record{}
	for _, r := range recs {
		names = append(names, r.Name)
		files[r.Name] = r
	}
	base := "bin/" + filepath.Base(exe)
	if want := []string{"bin", base, base + "-2", "etc", "etc/warren", "etc/warren/procs"}; !slices.Equal(names, want) {
		t.Fatalf("archive holds %q, want %q", names, want)
	}
	for name, mode := range map[string]uint64{
		"bin":              cpio.S_IFDIR | 0o755,
		base:               cpio.S_IFREG | 0o755,
		base + "-2":        cpio.S_IFREG | 0o755,
		"etc/warren/procs": cpio.S_IFREG | 0o644,
	} {
		if files[name].Mode != mode {
			t.Errorf("%s: mode %o, want %o", name, files[name].Mode, mode)
		}
	}
	if got := contents(t, files[base]); !bytes.Equal(got, data) {
		t.Errorf("%s differs from the executable", base)
	}
	cmds, err := proc.DecodeManifest(contents(t, files["etc/warren/procs"]))
	if err != nil {
		t.Fatal(err)
	}
	want := []proc.Command{{Path: "/" + base, Args: []string{"-port", "7"}}, {Path: "/" + base + "-2"}, {Path: "/" + base, Args: []string{"again"}}}
	if !slices.EqualFunc(cmds, want, func(a, b proc.Command) bool { return a.Path == b.Path && slices.Equal(a.Args, b.Args) }) {
		t.Errorf("manifest %q, want %q", cmds, want)
	}
}

func contents(t *testing.T, r cpio.Record) []byte {
	t.Helper()
	b, err := io.ReadAll(io.NewSectionReader(r, 0, int64(r.FileSize)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWriteUserArchiveRejects(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "script")
	os.WriteFile(script, []byte("#!/bin/sh\n"), 0o755)
	for _, tc := range []struct{ path, want string }{
		{"/bin/true", "/bin/true: dynamically linked (interpreter /"},
		{script, script + ": not an ELF file"},
		{filepath.Join(dir, "missing"), "no such file"},
	} {
		if _, err := os.Stat(tc.path); tc.path == "/bin/true" && err != nil {
			continue // no dynamic executable to try
		}
		err := writeUserArchive(io.Discard, []UserProgram{{Path: tc.path}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.path, err, tc.want)
		}
	}
}
