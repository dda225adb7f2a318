package build

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The image's build fixes two things in netstack's TCP package as it
// hooks package syscall (docs/socket-path.md has the evidence for both):
//
//   - Its receiver can refuse, acknowledgment and all, a segment its peer
//     sent into a window it promised, and stall the connection for good
//     (netstackfix/acceptable.go.in): the receiver's check is renamed in
//     rcv.go, and a new check also accepts what was promised.
//   - It acknowledges received data at once, where Linux waits for data
//     to carry the acknowledgement (netstackfix/delack.go.in): the
//     acknowledgement at the end of handleSegmentsLocked becomes a call
//     that may delay it, with a timer of its own in the sender, stopped
//     with the endpoint's other timers.
//
// The go command refuses overlays of files in the module cache, so the
// build replaces netstack's module (in its go.work) with a shadow: a tree
// of symbolic links to the module's files, but for the files of the
// fix. A shadow is made once for each module directory and fix, in the
// user's cache, and its path stays the same, so the go command's build
// cache serves later builds.

var (
	//go:embed netstackfix/acceptable.go.in
	tcpAcceptableFix []byte
	//go:embed netstackfix/delack.go.in
	tcpDelayedAckFix []byte
)

// tcpPkg is netstack's TCP package.
const tcpPkg = "gvisor.dev/gvisor/pkg/tcpip/transport/tcp"

// tcpEdits are the fix's edits of the package's own files, for
// editLines.
var tcpEdits = map[string]map[string]string{
	"rcv.go": {
		"func (r *receiver) acceptable(": "func (r *receiver) acceptableAdvertised(",
	},
	"connect.go": {
		"\tif e.rcv.RcvNxt != e.snd.MaxSentAck {\n\t\te.snd.sendAck()\n\t}\n": "\te.ackProcessedLocked()\n",
	},
	"snd.go": {
		"\tprobeTimer timer `state:\"nosave\"`\n": "\tprobeTimer timer `state:\"nosave\"`\n\n\t// delayedAck holds back an acknowledgement (zz_warren_delack.go).\n\tdelayedAck delayedAck `state:\"nosave\"`\n",
	},
	"endpoint.go": {
		"\t\te.snd.corkTimer.cleanup()\n": "\t\te.snd.corkTimer.cleanup()\n\t\te.snd.delayedAck.cleanup()\n",
		"\te.ops.SetQuickAck(true)\n":     "\te.ops.SetQuickAck(false) // acknowledgements may wait (zz_warren_delack.go)\n",
	},
}

// tcpAdded are the files the fix adds to the package.
var tcpAdded = map[string][]byte{
	"zz_warren_acceptable.go": tcpAcceptableFix,
	"zz_warren_delack.go":     tcpDelayedAckFix,
}

// netstackModule is where a build finds netstack's TCP package: its
// module's path and directory, and the package's directory inside it.
type netstackModule struct {
	Path, Dir, Rel string
}

// findNetstack finds netstack's TCP package among the dependencies of
// the kernel and of the program pkg (with its tests if test) in the build
// in dir with env; ok is false when neither uses it.
func findNetstack(ctx context.Context, dir string, env []string, pkg string, test bool) (m netstackModule, ok bool, err error) {
	args := []string{"list", "-deps", "-f", "{{if eq .ImportPath \"" + tcpPkg + "\"}}{{.Module.Path}}\t{{.Module.Dir}}\t{{.Dir}}{{end}}"}
	if test {
		args = append(args, "-test")
	}
	out, err := runGo(ctx, dir, env, append(args, SystemPkg, pkg)...)
	if err != nil {
		return netstackModule{}, false, err
	}
	line := strings.TrimSpace(string(out))
	if line == "" {
		return netstackModule{}, false, nil
	}
	f := strings.Split(line, "\t")
	if len(f) != 3 {
		return netstackModule{}, false, fmt.Errorf("build: go list of %s said %q", tcpPkg, out)
	}
	rel, err := filepath.Rel(f[1], f[2])
	if err != nil || !filepath.IsLocal(rel) {
		return netstackModule{}, false, fmt.Errorf("build: %s is not inside its module %s", f[2], f[1])
	}
	return netstackModule{Path: f[0], Dir: f[1], Rel: rel}, true, nil
}

// tcpFixFiles returns the files of the fix for the TCP package in
// pkgDir: its edited files and the added ones.
func tcpFixFiles(pkgDir string) (map[string][]byte, error) {
	files := maps.Clone(tcpAdded)
	for name, edits := range tcpEdits {
		src, err := os.ReadFile(filepath.Join(pkgDir, name))
		if err != nil {
			return nil, fmt.Errorf("build: the netstack fix needs netstack's TCP sources: %w", err)
		}
		if files[name], err = editLines(name, src, edits); err != nil {
			return nil, fmt.Errorf("%w: this netstack is not the one Warren's fixes were written for", err)
		}
	}
	return files, nil
}

// shadowModule returns a directory under cache that holds module m with
// files (name → contents) in place of the files of those names in its
// package m.Rel, making it if no earlier build did.
func shadowModule(cache string, m netstackModule, files map[string][]byte) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", m.Dir, m.Rel)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(h, "%s\x00%d\x00%s", name, len(files[name]), files[name])
	}
	dst := filepath.Join(cache, "netstack-"+hex.EncodeToString(h.Sum(nil))[:16])
	if _, err := os.Stat(filepath.Join(dst, "go.mod")); err == nil {
		return dst, nil
	}
	// Absent, or its links dangle (the module cache was cleaned).
	if err := os.RemoveAll(dst); err != nil {
		return "", err
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(cache, "making-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if err := mirror(m.Dir, tmp, strings.Split(filepath.ToSlash(m.Rel), "/"), files); err != nil {
		return "", err
	}
	// A rename that fails because another build made the same shadow
	// meanwhile leaves a good one in place.
	if err := os.Rename(tmp, dst); err != nil {
		if _, statErr := os.Stat(filepath.Join(dst, "go.mod")); statErr != nil {
			return "", err
		}
	}
	return dst, nil
}

// mirror fills dst with links to src's entries, but descends into the
// entry named path[0] to make path[1:] the same way; at the end of the
// path, files replace the entries of their names.
func mirror(src, dst string, path []string, files map[string][]byte) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case len(path) > 0 && name == path[0]:
			if err := os.Mkdir(filepath.Join(dst, name), 0o755); err != nil {
				return err
			}
			if err := mirror(filepath.Join(src, name), filepath.Join(dst, name), path[1:], files); err != nil {
				return err
			}
		case len(path) == 0 && files[name] != nil:
		default:
			if err := os.Symlink(filepath.Join(src, name), filepath.Join(dst, name)); err != nil {
				return err
			}
		}
	}
	if len(path) == 0 {
		for name, data := range files {
			if err := os.WriteFile(filepath.Join(dst, name), data, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// shadowCache is where shadows of modules are kept.
func shadowCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "warren")
}
