package multiboot

// NextToken splits the first token off a command line. Tokens are separated
// by runs of white space; double quotes group white space into a token, as
// in Linux (`warren.x="a b"` and `"a b"` are one token each). An unclosed
// quote runs to the end. The token keeps its quotes (remove them with
// Unquote); rest starts after it. When s holds no token, tok is empty.
//
// Context: kernel (no allocation, no pointer stores).
func NextToken(s []byte) (tok, rest []byte) {
	i := 0
	for i < len(s) && IsSpace(s[i]) {
		i++
	}
	start := i
	quoted := false
	for ; i < len(s); i++ {
		c := s[i]
		if c == '"' {
			quoted = !quoted
		} else if !quoted && IsSpace(c) {
			break
		}
	}
	return s[start:i], s[i:]
}

// Unquote copies tok into dst without its double quotes and returns the
// length written. It fails if dst is too short; len(tok) bytes always
// suffice. dst may be tok itself to unquote in place.
//
// Context: kernel (no allocation, no pointer stores).
func Unquote(dst, tok []byte) (n int, ok bool) {
	for _, c := range tok {
		if c == '"' {
			continue
		}
		if n == len(dst) {
			return n, false
		}
		dst[n] = c
		n++
	}
	return n, true
}

// IsSpace reports the bytes that separate tokens: those C's isspace
// accepts, which Linux uses too.
//
// Context: kernel (no allocation, no pointer stores).
func IsSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// SizeSuffix splits an optional K, M or G suffix (either case) off a size
// option's value, as Linux's memparse reads it: digits is the rest, and
// the number they give is to be shifted left by shift.
//
// Context: kernel (no allocation, no pointer stores).
func SizeSuffix[T ~string | ~[]byte](v T) (digits T, shift uint) {
	n := len(v)
	if n == 0 {
		return v, 0
	}
	switch v[n-1] {
	case 'K', 'k':
		shift = 10
	case 'M', 'm':
		shift = 20
	case 'G', 'g':
		shift = 30
	default:
		return v, 0
	}
	return v[:n-1], shift
}
