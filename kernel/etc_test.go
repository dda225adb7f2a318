package kernel

import (
	"testing"

	"warren.dev/kernel/files"
)

// TestIdentityFiles checks that /etc/passwd and /etc/group are served from
// boot and name root, whose uid getuid gives.
func TestIdentityFiles(t *testing.T) {
	saved := etcFiles
	defer func() { etcFiles = saved }()
	etcFiles = files.Served{}
	serveIdentityFiles()
	for path, want := range map[string]string{
		"/etc/passwd": "root:x:0:0:root:/tmp:/bin/sh\n",
		"/etc/group":  "root:x:0:\n",
	} {
		i, ok := etcFiles.Lookup([]byte(path))
		if !ok {
			t.Errorf("%s is not served", path)
			continue
		}
		if got := string(etcFiles.Data(i)); got != want {
			t.Errorf("%s: %q, want %q", path, got, want)
		}
	}
	if uid, e := sysGetuid(nil); uid != 0 || e != 0 {
		t.Errorf("getuid: %d, %v; the files name uid 0", uid, e)
	}
}
