package main

import "errors"

func cmdSynth(args []string, s stdio) error {
	return errors.New("synth: not implemented yet")
}
