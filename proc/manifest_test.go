package proc

import (
	"slices"
	"strings"
	"testing"
)

func TestManifestRoundTrip(t *testing.T) {
	cmds := []Command{
		{Path: "/bin/echo-server", Args: []string{"-port", "7"}},
		{Path: "/bin/httpd"},
		{Path: "/bin/x", Args: []string{"", "a b\tc", ""}},
	}
	data, err := EncodeManifest(cmds)
	if err != nil {
		t.Fatal(err)
	}
	if want := "/bin/echo-server\x00-port\x007\n/bin/httpd\n/bin/x\x00\x00a b\tc\x00\n"; string(data) != want {
		t.Errorf("encoded %q, want %q", data, want)
	}
	got, err := DecodeManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(got, cmds, func(a, b Command) bool { return a.Path == b.Path && slices.Equal(a.Args, b.Args) }) {
		t.Errorf("decoded %q, want %q", got, cmds)
	}
	if argv := got[0].Argv(); !slices.Equal(argv, []string{"/bin/echo-server", "-port", "7"}) {
		t.Errorf("argv %q", argv)
	}
}

func TestManifestErrors(t *testing.T) {
	for _, cmds := range [][]Command{
		{{Path: "bin/x"}},
		{{Path: "/bin/x", Args: []string{"a\nb"}}},
		{{Path: "/bin/\x00x"}},
	} {
		if _, err := EncodeManifest(cmds); err == nil {
			t.Errorf("%q was encoded", cmds)
		}
	}
	for data, want := range map[string]string{
		"/bin/x":          "not ended by a newline",
		"/bin/x\n\n":      `line 2: path "" is not absolute`,
		"x\x00-flag\n":    `line 1: path "x" is not absolute`,
		"/a\n/b\nc\x00\n": `line 3`,
	} {
		if _, err := DecodeManifest([]byte(data)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error containing %q", data, err, want)
		}
	}
}
