package multiboot

import (
	"bytes"
	"testing"
)

func tokens(s string) []string {
	var toks []string
	rest := []byte(s)
	for {
		var tok []byte
		tok, rest = NextToken(rest)
		if len(tok) == 0 {
			return toks
		}
		toks = append(toks, string(tok))
	}
}

func TestNextToken(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{" \t\n ", nil},
		{"a", []string{"a"}},
		{"  warren.debug=1   HOME=/root\targ\n", []string{"warren.debug=1", "HOME=/root", "arg"}},
		{`a "b c" d`, []string{"a", `"b c"`, "d"}},
		{`warren.x="a b" y`, []string{`warren.x="a b"`, "y"}},
		{`x="a b"c"d e" f`, []string{`x="a b"c"d e"`, "f"}},
		{`"unclosed quote runs on`, []string{`"unclosed quote runs on`}},
		{`"" ""x`, []string{`""`, `""x`}},
	}
	for _, tt := range tests {
		got := tokens(tt.in)
		if len(got) != len(tt.want) {
			t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
			}
		}
	}
}

func TestUnquote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{`"a b"`, "a b"},
		{`warren.x="a b"`, "warren.x=a b"},
		{`""`, ""},
		{`"open`, "open"},
	}
	for _, tt := range tests {
		dst := make([]byte, len(tt.in))
		n, ok := Unquote(dst, []byte(tt.in))
		if !ok || string(dst[:n]) != tt.want {
			t.Errorf("Unquote(%q) = %q, %v; want %q", tt.in, dst[:n], ok, tt.want)
		}
		inPlace := []byte(tt.in)
		if n, ok := Unquote(inPlace, inPlace); !ok || string(inPlace[:n]) != tt.want {
			t.Errorf("in place %q = %q", tt.in, inPlace[:n])
		}
	}
	if n, ok := Unquote(make([]byte, 2), []byte(`"abc"`)); ok || n != 2 {
		t.Errorf("short dst: %d, %v", n, ok)
	}
}

func TestTokenAllocs(t *testing.T) {
	line := []byte(`warren.debug=1 HOME=/ "x y" arg`)
	var buf [64]byte
	allocs := testing.AllocsPerRun(100, func() {
		for rest := line; ; {
			var tok []byte
			if tok, rest = NextToken(rest); len(tok) == 0 {
				break
			}
			Unquote(buf[:], tok)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations", allocs)
	}
}

func FuzzNextToken(f *testing.F) {
	f.Add([]byte(`warren.x="a b" HOME=/ arg`))
	f.Add([]byte(`"`))
	f.Fuzz(func(t *testing.T, s []byte) {
		rest := s
		for steps := 0; ; steps++ {
			if steps > len(s) {
				t.Fatalf("no progress on %q", s)
			}
			tok, r := NextToken(rest)
			if len(tok) == 0 {
				if len(bytes.TrimLeft(r, " \t\n\v\f\r")) != 0 {
					t.Fatalf("empty token before %q", r)
				}
				break
			}
			// tok and r are consecutive pieces of rest.
			if len(r) >= len(rest) || &rest[len(rest)-len(r)-len(tok)] != &tok[0] {
				t.Fatalf("token %q not taken from %q", tok, rest)
			}
			if IsSpace(tok[0]) {
				t.Fatalf("token %q starts with space", tok)
			}
			dst := make([]byte, len(tok))
			if n, ok := Unquote(dst, tok); !ok || bytes.IndexByte(dst[:n], '"') >= 0 {
				t.Fatalf("Unquote(%q) = %q, %v", tok, dst[:n], ok)
			}
			rest = r
		}
	})
}
