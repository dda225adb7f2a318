package build_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"warren.dev/tools/build"
)

// The stand-in kernel: a throwaway Warren tree (module warren.dev) whose
// kernel.start64 only reports what the loader handed over, on COM1:
//
//	<multiboot command line>{boot loader name}
//	[module command line]first 6 bytes of the module
//
// and exits through isa-debug-exit with status 42. It lets the builder,
// the patcher and both boot paths be tested without the real kernel, and
// shows what each loader passes.
var standIn = map[string]string{
	"go.mod": "module warren.dev\n\ngo 1.26.3\n",
	"system/system.go": `// Package system links the stand-in kernel and socket hook.
package system

import (
	_ "warren.dev/kernel"
	_ "warren.dev/sockets"
)
`,
	"sockets/hook.go": `// Package sockets is a stand-in: the syscall overlay's hook declines
// every call.
package sockets

import (
	"syscall"
	_ "unsafe" // for go:linkname
)

//go:linkname stdSocketCall
func stdSocketCall(trap uintptr, args [6]uintptr, ptrs uint32, mem [][]byte) (uintptr, syscall.Errno, bool) {
	return 0, 0, false
}
`,
	"kernel/kernel.go": `// Package kernel is a stand-in for tests of the warren tool.
package kernel

var never bool

// start64 is entered from the 32-bit boot code in 64-bit mode, BX =
// multiboot information.
func start64()

// The never-taken call keeps start64 (and through it the header) linked.
func init() {
	if never {
		start64()
	}
}
`,
	"kernel/kernel_amd64.s": `#include "textflag.h"

#define PUTC(c) MOVB $c, AL; OUTB

// No stack: loops are inline.
TEXT ·start64(SB), NOSPLIT|NOFRAME, $0
	MOVQ $internal∕goarch·warrenMultiboot(SB), AX // keeps the header linked
	MOVL BX, R8 // multiboot information
	MOVW $0x3f8, DX // COM1
	PUTC('<')
	MOVL 16(R8), BX // cmdline
cmd:
	MOVB (BX), AL
	TESTB AL, AL
	JEQ cmddone
	OUTB
	INCQ BX
	JMP cmd
cmddone:
	PUTC('>')
	PUTC('{')
	MOVL 64(R8), BX // boot_loader_name
name:
	MOVB (BX), AL
	TESTB AL, AL
	JEQ namedone
	OUTB
	INCQ BX
	JMP name
namedone:
	PUTC('}')
	PUTC('\n')
	MOVL 20(R8), CX // mods_count
	MOVL 24(R8), R9 // mods_addr
mods:
	TESTL CX, CX
	JEQ exit
	PUTC('[')
	MOVL 8(R9), BX // module string
str:
	MOVB (BX), AL
	TESTB AL, AL
	JEQ strdone
	OUTB
	INCQ BX
	JMP str
strdone:
	PUTC(']')
	MOVL 0(R9), BX // module start
	MOVL $6, R10
head:
	MOVB (BX), AL
	OUTB
	INCQ BX
	DECL R10
	JNE head
	PUTC('\n')
	ADDQ $16, R9
	DECL CX
	JMP mods
exit:
	MOVL $42, AX
	MOVW $0xf4, DX
	OUTL
	HLT
`,
	"examples/hello/main.go": `package main

import "fmt"

func main() { fmt.Println("hello from warren") }
`,
	"examples/lib/lib.go":      "// Package lib is not a command.\npackage lib\n",
	"examples/lib/lib_test.go": "package lib\n\nimport \"testing\"\n\nfunc TestLib(t *testing.T) {}\n",
}

// standInStatus is the exit status of the stand-in kernel.
const standInStatus = 42

// writeStandIn writes the stand-in Warren tree to root, with the real
// repository's multiboot header.
func writeStandIn(root string) error {
	_, self, _, _ := runtime.Caller(0)
	hdr, err := os.ReadFile(filepath.Join(filepath.Dir(self), "..", "..", "boot", "goarch_multiboot.asm"))
	if err != nil {
		return err
	}
	files := map[string]string{"boot/goarch_multiboot.asm": string(hdr)}
	for k, v := range standIn {
		files[k] = v
	}
	return writeFiles(root, files)
}

// writeFiles writes files (slash-separated paths relative to dir).
func writeFiles(dir string, files map[string]string) error {
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// fixture is shared by the tests: the stand-in tree and its hello image,
// built once.
var fixture struct {
	root  string
	once  sync.Once
	image string
	err   error

	testOnce  sync.Once
	testImage string
	testErr   error
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "warren-standin-")
	if err == nil {
		fixture.root = filepath.Join(dir, "warren")
		err = writeStandIn(fixture.root)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// standInConfig resolves packages in the stand-in tree.
func standInConfig() build.Config {
	return build.Config{Root: fixture.root, Dir: fixture.root}
}

// helloImage returns the stand-in's examples/hello built as an image.
func helloImage(t *testing.T) string {
	t.Helper()
	fixture.once.Do(func() {
		fixture.image = filepath.Join(filepath.Dir(fixture.root), "hello.elf")
		_, fixture.err = build.Build(context.Background(), standInConfig(), "./examples/hello", fixture.image)
	})
	if fixture.err != nil {
		t.Fatal(fixture.err)
	}
	return fixture.image
}

// stringsTestImage returns the test binary of package strings built as an
// image with the stand-in kernel: a program whose header the linker puts
// beyond the first 8 KiB, so the patcher copies it.
func stringsTestImage(t *testing.T) string {
	t.Helper()
	fixture.testOnce.Do(func() {
		fixture.testImage = filepath.Join(filepath.Dir(fixture.root), "strings.test.elf")
		_, fixture.testErr = build.BuildTest(context.Background(), standInConfig(), "strings", fixture.testImage)
	})
	if fixture.testErr != nil {
		t.Fatal(fixture.testErr)
	}
	return fixture.testImage
}
