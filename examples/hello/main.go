// Hello is the smallest Warren program: an ordinary Go program that prints a
// line and exits 0. Built with warren, it boots as its own kernel.
package main

import "fmt"

func main() {
	fmt.Println("hello from warren")
}
