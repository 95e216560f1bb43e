package main

import "errors"

func cmdTemplate(args []string, s stdio) error {
	return errors.New("template: not implemented yet")
}
