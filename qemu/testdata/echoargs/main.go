// Command echoargs prints its arguments, selected environment variables
// and its working directory, then, given -sleep=D, prints "sleeping",
// sleeps for D and prints "slept", and exits with the status given by
// -exit=N.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

func main() {
	exit := flag.Int("exit", 0, "exit status")
	sleep := flag.Duration("sleep", 0, "how long to sleep before exiting")
	flag.Parse()
	fmt.Printf("args %q\n", flag.Args())
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TEST_") || strings.HasPrefix(kv, "GOMEMLIMIT=") {
			fmt.Printf("env %s\n", kv)
		}
	}
	if *sleep > 0 {
		fmt.Println("sleeping")
		time.Sleep(*sleep)
		fmt.Println("slept")
	}
	os.Exit(*exit)
}
