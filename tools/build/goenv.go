package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// goEnv is the environment for every go command the builder runs: a static
// linux/amd64 program, whatever the host. GOAMD64 is left at its default
// (v1). GOWORK is set by the caller.
func goEnv(gowork string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GOOS", "GOARCH", "CGO_ENABLED", "GOAMD64", "GOWORK":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0", "GOWORK="+gowork)
}

// goTool returns the path of the go command.
func goTool() (string, error) {
	p, err := exec.LookPath("go")
	if err != nil {
		return "", errors.New("the Go toolchain is not installed or not on PATH (the go command was not found); install Go 1.26 from https://go.dev/dl/")
	}
	return p, nil
}

// runGo runs go with args in dir and returns its standard output. On
// failure the error carries go's own messages unchanged.
func runGo(ctx context.Context, dir string, env []string, args ...string) ([]byte, error) {
	gobin, err := goTool()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, gobin, args...)
	cmd.Dir = dir
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimRight(stderr.String(), "\n")
		if msg == "" {
			msg = err.Error()
		}
		return stdout.Bytes(), &GoError{Args: args, Output: msg}
	}
	return stdout.Bytes(), nil
}

// GoError is a failed go command; Output is what go printed.
type GoError struct {
	Args   []string
	Output string
}

func (e *GoError) Error() string {
	return fmt.Sprintf("go %s failed:\n%s", e.Args[0], e.Output)
}

// goEnvVar returns `go env NAME` as seen from dir.
func goEnvVar(ctx context.Context, dir string, env []string, name string) (string, error) {
	out, err := runGo(ctx, dir, env, "env", name)
	return strings.TrimSpace(string(out)), err
}
