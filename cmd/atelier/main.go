// Command atelier is a local AI coding assistant: one binary that runs an
// open-weight model in-process on the CPU.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// command is one subcommand: it gets its arguments (without its name) and
// the standard streams.
type command struct {
	summary string
	run     func(args []string, stdio stdio) error
}

// stdio are the streams a command talks to, so tests can run commands in
// process.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

func commands() map[string]command {
	return map[string]command{
		"run":      {"generate text with a model", cmdRun},
		"inspect":  {"describe a GGUF file", cmdInspect},
		"tokenize": {"print the token ids of stdin", cmdTokenize},
		"template": {"print the prompt a conversation renders to", cmdTemplate},
		"pull":     {"download a model", cmdPull},
		"models":   {"list installed models", cmdModels},
		"rm":       {"remove an installed model", cmdRm},
		"show":     {"show an installed model's details", cmdShow},
		"hw":       {"check this machine and what models fit", cmdHW},
		"bench":    {"measure prompt and generation speed", cmdBench},
		"quantize": {"convert a GGUF file to another type", cmdQuantize},
		"synth":    {"make a random-weight model in a real shape", cmdSynth},
		"undo":     {"restore the files the agent's last turn changed", cmdUndo},
		"config":   {"show the agent's settings and where each comes from", cmdConfig},
	}
}

// errUsage marks an error in the command line: the usage is printed with it.
var errUsage = errors.New("usage")

func main() {
	os.Exit(mainArgs(os.Args[1:], stdio{os.Stdin, os.Stdout, os.Stderr}))
}

func mainArgs(args []string, s stdio) int {
	if len(args) > 0 {
		switch args[0] {
		case "help", "-h", "--help":
			printUsage(s.out)
			return 0
		}
		if c, ok := commands()[args[0]]; ok {
			if err := c.run(args[1:], s); err != nil {
				if errors.Is(err, errUsage) {
					printUsage(s.err)
				}
				fmt.Fprintln(s.err, "atelier:", err)
				return 1
			}
			return 0
		}
	}
	if err := cmdAgent(args, s); err != nil {
		fmt.Fprintln(s.err, "atelier:", err)
		return 1
	}
	return 0
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, "usage: atelier [COMMAND] [flags]\n\ncommands:\n")
	cs := commands()
	for _, name := range []string{"run", "inspect", "tokenize", "template", "pull", "models", "rm", "show", "hw", "bench", "quantize", "synth", "config", "undo"} {
		fmt.Fprintf(w, "  %-9s %s\n", name, cs[name].summary)
	}
	fmt.Fprint(w, "\nWith no command, atelier starts the coding agent in the current directory.\n")
}
