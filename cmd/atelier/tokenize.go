package main

import "errors"

func cmdTokenize(args []string, s stdio) error {
	return errors.New("tokenize: not implemented yet")
}
