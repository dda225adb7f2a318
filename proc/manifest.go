package proc

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// ManifestPath is where an image built with `warren build -user` lists the
// programs its init starts, in the image's file tree.
const ManifestPath = "/etc/warren/procs"

// A Command is one program of the manifest.
type Command struct {
	Path string   // the executable in the file tree, also argv[0]
	Args []string // the arguments after argv[0]
}

// Argv is the command's argument vector.
func (c Command) Argv() []string { return append([]string{c.Path}, c.Args...) }

// The manifest has one line per command: the path, then each argument,
// every field preceded by a NUL byte but the first. Neither may contain a
// NUL byte or a newline, which no argv string can anyway.

// EncodeManifest writes the manifest of cmds.
func EncodeManifest(cmds []Command) ([]byte, error) {
	var b bytes.Buffer
	for _, c := range cmds {
		if !strings.HasPrefix(c.Path, "/") {
			return nil, fmt.Errorf("manifest: path %q is not absolute", c.Path)
		}
		for _, f := range c.Argv() {
			if strings.ContainsAny(f, "\x00\n") {
				return nil, fmt.Errorf("manifest: %q contains a NUL byte or a newline", f)
			}
		}
		b.WriteString(strings.Join(c.Argv(), "\x00"))
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// DecodeManifest reads a manifest written by EncodeManifest.
func DecodeManifest(data []byte) ([]Command, error) {
	if len(data) > 0 && data[len(data)-1] != '\n' {
		return nil, errors.New("manifest: the last line is not ended by a newline")
	}
	var cmds []Command
	for line := range strings.Lines(string(data)) {
		fields := strings.Split(strings.TrimSuffix(line, "\n"), "\x00")
		if !strings.HasPrefix(fields[0], "/") {
			return nil, fmt.Errorf("manifest line %d: path %q is not absolute", len(cmds)+1, fields[0])
		}
		cmds = append(cmds, Command{Path: fields[0], Args: fields[1:]})
	}
	return cmds, nil
}
