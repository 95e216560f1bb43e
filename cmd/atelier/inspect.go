package main

import "errors"

func cmdInspect(args []string, s stdio) error {
	return errors.New("inspect: not implemented yet")
}
