package main

import "errors"

func cmdBench(args []string, s stdio) error {
	return errors.New("bench: not implemented yet")
}
