// Command echoargs prints its arguments, selected environment variables
// and its working directory, then exits with the status given by
// -exit=N.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	exit := flag.Int("exit", 0, "exit status")
	flag.Parse()
	fmt.Printf("args %q\n", flag.Args())
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TEST_") || strings.HasPrefix(kv, "GOMEMLIMIT=") {
			fmt.Printf("env %s\n", kv)
		}
	}
	os.Exit(*exit)
}
