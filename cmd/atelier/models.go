package main

import "errors"

func cmdModels(args []string, s stdio) error {
	return errors.New("models: not implemented yet")
}
