package main

import "errors"

func cmdHW(args []string, s stdio) error {
	return errors.New("hw: not implemented yet")
}
