package main

import "errors"

func cmdRun(args []string, s stdio) error {
	return errors.New("run: not implemented yet")
}
