package kernel

// line builds one console line without allocating: kernel context has no
// fmt. Methods chain: var l line; l.s("x=").hex(v).put().
type line struct {
	buf [256]byte
	n   int
}

// s appends a string.
func (l *line) s(str string) *line {
	l.n += copy(l.buf[l.n:], str)
	return l
}

// b appends bytes.
func (l *line) b(p []byte) *line {
	l.n += copy(l.buf[l.n:], p)
	return l
}

// hex appends v as 0x-prefixed hexadecimal.
func (l *line) hex(v uint64) *line {
	var d [18]byte
	i := len(d)
	for {
		i--
		d[i] = "0123456789abcdef"[v&15]
		v >>= 4
		if v == 0 {
			break
		}
	}
	i--
	d[i] = 'x'
	i--
	d[i] = '0'
	return l.b(d[i:])
}

// u appends v in decimal.
func (l *line) u(v uint64) *line {
	var d [20]byte
	i := len(d)
	for {
		i--
		d[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return l.b(d[i:])
}

// i appends v in decimal with its sign.
func (l *line) i(v int64) *line {
	if v < 0 {
		l.s("-")
		return l.u(uint64(-v))
	}
	return l.u(uint64(v))
}

// put writes the line and a newline to the console.
//
// Context: kernel (no allocation, no pointer stores).
func (l *line) put() {
	if l.n < len(l.buf) {
		l.buf[l.n] = '\n'
		l.n++
	} else {
		l.buf[len(l.buf)-1] = '\n'
	}
	console.Write(l.buf[:l.n])
	l.n = 0
}

// logs prints one "warren: " console line.
//
// Context: kernel (no allocation, no pointer stores).
func logs(str string) {
	var l line
	l.s("warren: ").s(str).put()
}
