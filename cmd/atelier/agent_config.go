package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/atelier-dev/atelier/internal/agent"
	"github.com/atelier-dev/atelier/internal/agent/config"
)

// cmdConfig prints the agent's effective configuration in this directory
// and where each value comes from; --trust marks the project trusted.
func cmdConfig(args []string, s stdio) error {
	fs := flag.NewFlagSet("atelier config", flag.ContinueOnError)
	fs.SetOutput(s.err)
	trust := fs.Bool("trust", false, "trust this project: let its .atelier/config.json grant permissions and choose the model and server")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("config: unexpected argument %q: %w", fs.Arg(0), errUsage)
	}
	dir, err := os.Getwd()
	if err != nil {
		return err
	}
	userFile := config.UserFile(agent.ConfigDir())
	if *trust {
		if err := config.TrustProject(userFile, dir); err != nil {
			return err
		}
		fmt.Fprintf(s.out, "trusted %s (saved in %s)\n\n", dir, userFile)
	}
	c, err := config.Load(userFile, dir)
	if err != nil {
		return err
	}
	printConfig(s.out, c)
	return nil
}

func printConfig(w io.Writer, c *config.Config) {
	exists := func(path string) string {
		if path == "" {
			return "(none)"
		}
		if _, err := os.Stat(path); err != nil {
			return path + " (absent)"
		}
		return path
	}
	trusted := "not trusted: its file may only add deny and ask rules or pick a more careful mode"
	if c.Trusted {
		trusted = "trusted"
	}
	fmt.Fprintf(w, "user config:     %s\n", exists(c.UserFile))
	fmt.Fprintf(w, "project config:  %s\n", exists(c.ProjectFile))
	fmt.Fprintf(w, "project:         %s (%s)\n\n", c.Project, trusted)
	row := func(name, value, from string) {
		if value == "" {
			value = "-"
		}
		fmt.Fprintf(w, "%-18s %-32s %s\n", name, value, from)
	}
	row("permission mode", string(c.Mode.Value), c.Mode.From)
	row("model", c.Model.Value, c.Model.From)
	ctx := "the model's, at most 8192"
	if c.Context.Value > 0 {
		ctx = strconv.Itoa(c.Context.Value)
	}
	row("context", ctx, c.Context.From)
	row("remote base_url", c.BaseURL.Value, c.BaseURL.From)
	row("remote model", c.RemoteModel.Value, c.RemoteModel.From)
	key := c.APIKeyEnv.Value
	if key != "" {
		if os.Getenv(key) == "" {
			key += " (not set)"
		} else {
			key += " (set)"
		}
	}
	row("remote api_key_env", key, c.APIKeyEnv.From)
	fmt.Fprintln(w, "\npermission rules:")
	if len(c.Rules) == 0 {
		fmt.Fprintln(w, "  (none)")
	}
	for _, r := range c.Rules {
		fmt.Fprintf(w, "  %-5s %-32s %s\n", r.Kind, r.Rule, r.From)
	}
	fmt.Fprintln(w, "\nenvironment passed to commands despite looking secret:")
	if len(c.PassEnv) == 0 {
		fmt.Fprintln(w, "  (none: variables such as *_API_KEY, *_TOKEN, AWS_* are removed)")
	}
	for _, p := range c.PassEnv {
		fmt.Fprintf(w, "  %-38s %s\n", p.Value, p.From)
	}
	if len(c.Warnings) > 0 {
		fmt.Fprintln(w, "\nwarnings:")
		for _, x := range c.Warnings {
			fmt.Fprintln(w, "  "+strings.TrimSpace(x))
		}
	}
}
