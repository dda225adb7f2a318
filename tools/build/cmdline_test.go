package build

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"warren.dev/boot/multiboot"
)

func TestJoinArgs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, ""},
		{[]string{"-test.v"}, "-test.v"},
		{[]string{"warren.cwd=/src/x", "-test.run=TestA|TestB", "-test.short"}, "warren.cwd=/src/x -test.run=TestA|TestB -test.short"},
		{[]string{"-test.run=A B", "x\ty", ""}, "\"-test.run=A B\" \"x\ty\" \"\""},
		{[]string{"v\vf\fend"}, "\"v\vf\fend\""}, // the kernel splits at \v and \f too
	} {
		got, err := JoinArgs(tc.args)
		if err != nil || got != tc.want {
			t.Errorf("JoinArgs(%q) = %q, %v; want %q", tc.args, got, err, tc.want)
		}
		if back := SplitCmdline(got); !slices.Equal(back, tc.args) && len(tc.args) > 0 {
			t.Errorf("SplitCmdline(%q) = %q, want %q", got, back, tc.args)
		}
	}
	for _, bad := range []string{`say "hi"`, "two\nlines"} {
		if _, err := JoinArgs([]string{bad}); err == nil {
			t.Errorf("JoinArgs(%q) succeeded", bad)
		}
	}
}

func TestSplitCmdline(t *testing.T) {
	for in, want := range map[string][]string{
		"":                    nil,
		"  a   b\tc ":         {"a", "b", "c"},
		`a "b c" d`:           {"a", "b c", "d"},
		`x="1 2"y`:            {"x=1 2y"},
		`"" a`:                {"", "a"},
		`/boot/warren.elf "q`: {"/boot/warren.elf", "q"},
		"a\vb\fc":             {"a", "b", "c"},
	} {
		if got := SplitCmdline(in); !slices.Equal(got, want) {
			t.Errorf("SplitCmdline(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCmdline(t *testing.T) {
	for _, tc := range []struct {
		opts, args []string
		want       string
	}{
		{nil, nil, ""},
		{[]string{"warren.cwd=/a b"}, nil, `"warren.cwd=/a b"`},
		{[]string{"warren.cwd=/x", "GODEBUG=x=1"}, []string{"-test.v=true", "K=V", "warren.z"}, "warren.cwd=/x GODEBUG=x=1 -- -test.v=true K=V warren.z"},
		{nil, []string{"a b"}, `-- "a b"`},
	} {
		if got, err := Cmdline(tc.opts, tc.args); err != nil || got != tc.want {
			t.Errorf("Cmdline(%q, %q) = %q, %v; want %q", tc.opts, tc.args, got, err, tc.want)
		}
	}
}

func TestCheckCmdline(t *testing.T) {
	const image = "/tmp/x.elf"
	limit := multiboot.MaxCmdline
	for _, tc := range []struct {
		image string
		n     int
		ok    bool
	}{
		{"", 6000, true},
		{"", limit, true},
		{"", limit + 1, false},
		{image, limit - len(image) - 1, true}, // QEMU's line: image, space, cmdline
		{image, limit - len(image), false},
	} {
		err := CheckCmdline(tc.image, strings.Repeat("x", tc.n))
		switch {
		case tc.ok && err != nil:
			t.Errorf("%q, %d bytes: %v", tc.image, tc.n, err)
		case !tc.ok && (err == nil || !strings.Contains(err.Error(), "at most "+strconv.Itoa(limit))):
			t.Errorf("%q, %d bytes: got %v, want an error naming the limit", tc.image, tc.n, err)
		}
	}
	if _, err := GrubConfig(strings.Repeat("x", limit+1), nil); err == nil || !strings.Contains(err.Error(), strconv.Itoa(limit)) {
		t.Errorf("GrubConfig with a line over the limit: %v", err)
	}
}
