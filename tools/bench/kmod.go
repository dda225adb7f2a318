package bench

import (
	"bytes"
	"debug/elf"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
)

// moduleIndex maps a kernel module's name (dashes as underscores, as the
// kernel spells it) to its .ko file under a modules tree.
func moduleIndex(root string) (map[string]string, error) {
	idx := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".ko") {
			idx[moduleName(path)] = path
		}
		return nil
	})
	return idx, err
}

func moduleName(path string) string {
	return strings.ReplaceAll(strings.TrimSuffix(filepath.Base(path), ".ko"), "-", "_")
}

// moduleDepends reads the "depends=" entry of a module's .modinfo section.
func moduleDepends(path string) ([]string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sec := f.Section(".modinfo")
	if sec == nil {
		return nil, fmt.Errorf("%s: no .modinfo section", path)
	}
	data, err := sec.Data()
	if err != nil {
		return nil, err
	}
	return parseDepends(data), nil
}

// parseDepends finds depends=a,b among the NUL-separated key=value pairs.
func parseDepends(modinfo []byte) []string {
	for _, kv := range bytes.Split(modinfo, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, []byte("depends=")); ok {
			if len(v) == 0 {
				return nil
			}
			return strings.Split(string(v), ",")
		}
	}
	return nil
}

// loadOrder returns the modules roots need, each after its dependencies,
// depends reading one module's dependencies.
func loadOrder(roots []string, depends func(name string) ([]string, error)) ([]string, error) {
	var order []string
	state := map[string]int{} // 1: visiting, 2: done
	var visit func(name string, chain []string) error
	visit = func(name string, chain []string) error {
		switch state[name] {
		case 1:
			return fmt.Errorf("module dependency cycle: %s", strings.Join(append(chain, name), " → "))
		case 2:
			return nil
		}
		state[name] = 1
		deps, err := depends(name)
		if err != nil {
			return err
		}
		for _, d := range deps {
			if err := visit(d, append(chain, name)); err != nil {
				return err
			}
		}
		state[name] = 2
		order = append(order, name)
		return nil
	}
	for _, r := range roots {
		if err := visit(r, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// ModuleOrder resolves roots against the modules tree at dir: the names in
// load order and their files.
func ModuleOrder(dir string, roots []string) ([]string, map[string]string, error) {
	idx, err := moduleIndex(dir)
	if err != nil {
		return nil, nil, err
	}
	order, err := loadOrder(roots, func(name string) ([]string, error) {
		path, ok := idx[name]
		if !ok {
			return nil, fmt.Errorf("module %s not found under %s", name, dir)
		}
		return moduleDepends(path)
	})
	if err != nil {
		return nil, nil, err
	}
	files := map[string]string{}
	for _, name := range order {
		files[name] = idx[name]
	}
	return order, files, nil
}
