// Command atelier is a local AI coding assistant: one binary that runs an
// open-weight model in-process on the CPU.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "atelier:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return usageError()
	}
	switch args[0] {
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	}
	return usageError()
}

func usageError() error {
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command")
}

const usage = `usage: atelier COMMAND [flags]

commands:
  run       generate text with a model
  inspect   describe a GGUF file
  tokenize  print the token ids of stdin
`
