package main

import "errors"

func cmdAgent(args []string, s stdio) error {
	return errors.New("agent: not implemented yet")
}
