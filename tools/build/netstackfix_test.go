package build

import (
	"context"
	_ "embed"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fix's tests, added to netstack's package in the test's shadow.
var (
	//go:embed netstackfix/acceptable_test.go.in
	tcpAcceptableFixTest []byte
	//go:embed netstackfix/delack_test.go.in
	tcpDelayedAckFixTest []byte
)

// The fix applies to the netstack Warren builds with, and netstack's own
// package, built from a shadow with the fix and a test of its receiver,
// shows the window rounded to zero refused by netstack's check and
// accepted by the fix.
func TestNetstackFixOfThisNetstack(t *testing.T) {
	ctx := context.Background()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	gowork := filepath.Join(tmp, "go.work")
	env := goEnv(gowork)
	work, err := WorkFile(nil, root)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(gowork, []byte(work), 0o644)
	ns, ok, err := findNetstack(ctx, root, env, "warren.dev/examples/httpd", false)
	if err != nil || !ok {
		t.Fatalf("netstack not found: %v", err)
	}
	files, err := tcpFixFiles(filepath.Join(ns.Dir, ns.Rel))
	if err != nil {
		t.Fatal(err)
	}
	files["zz_warren_acceptable_test.go"] = tcpAcceptableFixTest
	files["zz_warren_delack_test.go"] = tcpDelayedAckFixTest
	cache := filepath.Join(tmp, "cache")
	shadow, err := shadowModule(cache, ns, files)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := shadowModule(cache, ns, files); err != nil || again != shadow {
		t.Errorf("a second build made another shadow: %q, %v (first %q)", again, err, shadow)
	}
	work, err = WorkFile(map[string]string{ns.Path: shadow}, root)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(gowork, []byte(work), 0o644)
	out, err := runGo(ctx, root, env, "test", "-count=1", "-run=^TestWarren", "-v", tcpPkg)
	if err != nil {
		t.Fatalf("netstack's package with the fix: %v\n%s", err, out)
	}
	for _, name := range []string{"TestWarrenAcceptsThePromisedWindow", "TestWarrenAckNow", "TestWarrenAnswerCarriesTheAck", "TestWarrenQuickAck", "TestWarrenUnansweredDataIsAcked"} {
		if !strings.Contains(string(out), "--- PASS: "+name) {
			t.Errorf("%s did not pass:\n%s", name, out)
		}
	}
}

// A shadow holds the module's files as links, but for the replaced
// ones, and is made again when it is broken.
func TestShadowModule(t *testing.T) {
	mod := t.TempDir()
	for name, data := range map[string]string{"go.mod": "module m\n", "a/b/x.go": "x", "a/b/y.go": "y", "a/c.go": "c"} {
		os.MkdirAll(filepath.Dir(filepath.Join(mod, name)), 0o755)
		os.WriteFile(filepath.Join(mod, name), []byte(data), 0o644)
	}
	cache := t.TempDir()
	m := netstackModule{Path: "m", Dir: mod, Rel: "a/b"}
	shadow, err := shadowModule(cache, m, map[string][]byte{"y.go": []byte("Y"), "z.go": []byte("Z")})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"go.mod": "module m\n", "a/b/x.go": "x", "a/b/y.go": "Y", "a/b/z.go": "Z", "a/c.go": "c"} {
		if got, err := os.ReadFile(filepath.Join(shadow, name)); err != nil || string(got) != want {
			t.Errorf("%s: %q, %v; want %q", name, got, err, want)
		}
	}
	if fi, err := os.Lstat(filepath.Join(shadow, "a/b/y.go")); err != nil || fi.Mode()&os.ModeSymlink != 0 {
		t.Errorf("the replaced file is a link to the module's")
	}
	os.Remove(filepath.Join(shadow, "go.mod")) // broken, as when its link dangles
	again, err := shadowModule(cache, m, map[string][]byte{"y.go": []byte("Y"), "z.go": []byte("Z")})
	if err != nil || again != shadow {
		t.Fatalf("made again: %q, %v", again, err)
	}
	if got, err := os.ReadFile(filepath.Join(shadow, "go.mod")); err != nil || string(got) != "module m\n" {
		t.Errorf("go.mod of the shadow made again: %q, %v", got, err)
	}
}

func TestNetstackFixRefusesAnotherNetstack(t *testing.T) {
	dir := t.TempDir()
	for name := range tcpEdits {
		src := "package tcp\n\nfunc (r *receiver) acceptable2() {}\n"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tcpFixFiles(dir); err == nil || !strings.Contains(err.Error(), "not the one Warren's fixes were written for") {
		t.Fatalf("tcpFixFiles of another netstack: %v", err)
	}
}
