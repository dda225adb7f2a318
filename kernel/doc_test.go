package kernel

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The map in doc.go names files and directories; a rename that forgets it
// fails here.
func TestDocMapNamesRealFiles(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var doc strings.Builder
	for _, line := range strings.Split(string(src), "\n") {
		if c, ok := strings.CutPrefix(line, "//"); ok {
			doc.WriteString(c + "\n")
		}
	}
	names := regexp.MustCompile(`\b(?:kernel|mm|drivers|net|boot|proc|sockets)/[a-z0-9_/.]*|\b[a-z0-9_]+\.(?:go|s|h)\b`).FindAllString(doc.String(), -1)
	if len(names) < 40 {
		t.Fatalf("found %d names in the map: the pattern no longer matches it", len(names))
	}
	for _, n := range names {
		path := n
		switch {
		case strings.Contains(n, "/") && !strings.HasPrefix(n, "kernel/"):
			path = filepath.Join("..", n)
		case strings.HasPrefix(n, "kernel/"):
			path = strings.TrimPrefix(n, "kernel/")
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("doc.go names %s, which does not exist", n)
		}
	}
}
