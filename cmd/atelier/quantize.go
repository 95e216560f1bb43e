package main

import "errors"

func cmdQuantize(args []string, s stdio) error {
	return errors.New("quantize: not implemented yet")
}
