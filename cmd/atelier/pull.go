package main

import "errors"

func cmdPull(args []string, s stdio) error {
	return errors.New("pull: not implemented yet")
}
