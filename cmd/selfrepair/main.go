// Command selfrepair makes LLM-written code pass its tests.
package main

import (
	"os"

	"github.com/selfrepair/selfrepair/cmd/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
