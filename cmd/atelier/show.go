package main

import "errors"

func cmdShow(args []string, s stdio) error {
	return errors.New("show: not implemented yet")
}
