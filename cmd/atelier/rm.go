package main

import "errors"

func cmdRm(args []string, s stdio) error {
	return errors.New("rm: not implemented yet")
}
