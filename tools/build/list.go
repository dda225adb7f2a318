package build

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Package is the part of `go list -json` the builder uses.
type Package struct {
	Dir          string
	ImportPath   string
	Name         string
	Standard     bool
	Module       *Module
	TestGoFiles  []string
	XTestGoFiles []string
	Error        *struct{ Err string }
}

// Module is a package's module as `go list` reports it.
type Module struct {
	Path      string
	Dir       string
	GoVersion string
}

// HasTests reports whether the package has any test files.
func (p *Package) HasTests() bool { return len(p.TestGoFiles)+len(p.XTestGoFiles) > 0 }

// inWarren reports whether the package builds without a workspace: it is in
// the standard library or in the Warren module itself.
func (p *Package) inWarren() bool {
	return p.Standard || p.Module == nil || p.Module.Path == WarrenModule
}

// Config says where the Warren tree is and where package arguments are
// resolved.
type Config struct {
	Root string // Warren module root; empty: FindRoot
	Dir  string // directory package arguments are relative to; empty: the current directory
	// SelfExe also builds the program as a plain Linux executable that
	// the image's program can exec (selfexe.go).
	SelfExe bool
}

func (c Config) root() (string, error) {
	if c.Root != "" {
		return checkRoot(c.Root, "Config.Root")
	}
	return FindRoot()
}

func (c Config) dir() (string, error) {
	if c.Dir != "" {
		return filepath.Abs(c.Dir)
	}
	return os.Getwd()
}

// List resolves package arguments as the go command does, for linux/amd64.
// A directory argument (./x, ../x, /x, with or without /...) is resolved in
// the module holding it, so programs in other modules need no go.work; an
// import path is resolved in the module of the current directory, or in the
// Warren module when there is none.
func List(ctx context.Context, cfg Config, args ...string) ([]*Package, error) {
	root, err := cfg.root()
	if err != nil {
		return nil, err
	}
	wd, err := cfg.dir()
	if err != nil {
		return nil, err
	}
	env := goEnv("off")
	var pkgs []*Package
	for _, arg := range args {
		dir, pattern := wd, arg
		if isDirArg(arg) {
			rest, dots := strings.CutSuffix(arg, "/...")
			dir, pattern = filepath.Join(wd, rest), "."
			if filepath.IsAbs(rest) {
				dir = rest
			}
			if dots {
				pattern = "./..."
			}
		} else if gomod, err := goEnvVar(ctx, wd, env, "GOMOD"); err != nil {
			return nil, err
		} else if gomod == "" || gomod == os.DevNull {
			dir = root
		}
		out, err := runGo(ctx, dir, env, "list", "-e", "-tags="+BuildTag, "-json=Dir,ImportPath,Name,Standard,Module,TestGoFiles,XTestGoFiles,Error", pattern)
		if err != nil {
			return nil, err
		}
		for dec := json.NewDecoder(bytes.NewReader(out)); ; {
			p := new(Package)
			if err := dec.Decode(p); err == io.EOF {
				break
			} else if err != nil {
				return nil, fmt.Errorf("reading go list output: %w", err)
			}
			if p.Error != nil {
				return nil, errors.New(strings.TrimSpace(p.Error.Err))
			}
			pkgs = append(pkgs, p)
		}
	}
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("no packages match %s", strings.Join(args, " "))
	}
	return pkgs, nil
}

// isDirArg reports whether arg names a directory rather than an import path.
func isDirArg(arg string) bool {
	return arg == "." || arg == ".." || filepath.IsAbs(arg) ||
		strings.HasPrefix(arg, "./") || strings.HasPrefix(arg, "../")
}

// listOne resolves an argument that must name exactly one package.
func listOne(ctx context.Context, cfg Config, arg string) (*Package, error) {
	pkgs, err := List(ctx, cfg, arg)
	if err != nil {
		return nil, err
	}
	if len(pkgs) != 1 {
		return nil, fmt.Errorf("%s matches %d packages; name one", arg, len(pkgs))
	}
	return pkgs[0], nil
}
