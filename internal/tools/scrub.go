package tools

import (
	"slices"
	"strings"
)

// The names of environment variables that hold credentials: prefixes of
// whole families, words that mark a secret wherever they stand in a name
// (GITHUB_TOKEN, CLIENT_SECRET, but not TOKENIZERS_PARALLELISM), parts that
// do so even inside a word, and single names.
var (
	secretPrefixes = []string{"AWS_", "AZURE_", "OPENAI_", "ANTHROPIC_", "GEMINI_", "MISTRAL_", "GROQ_", "COHERE_", "HUGGING_FACE_", "DEEPSEEK_", "OPENROUTER_"}
	secretWords    = []string{"TOKEN", "TOKENS", "SECRET", "SECRETS", "PASSWORD", "PASSWD", "PASSPHRASE", "CREDENTIAL", "CREDENTIALS", "APIKEY", "PAT", "KEY", "KEYS"}
	secretParts    = []string{"API_KEY", "ACCESS_KEY", "PRIVATE_KEY", "AUTH_KEY"}
	secretNames    = []string{"DATABASE_URL", "KUBECONFIG", "NETRC", "PGPASSFILE", "DOCKER_AUTH_CONFIG"}
)

// IsSecretEnv reports whether an environment variable's name looks like it
// holds a credential: *_API_KEY, *_TOKEN, *_SECRET*, *_PASSWORD, *_KEY,
// AWS_*, OPENAI_*, ANTHROPIC_*, HF_TOKEN, GITHUB_TOKEN and the like. Case
// does not matter.
func IsSecretEnv(name string) bool {
	n := strings.ToUpper(name)
	if slices.Contains(secretNames, n) {
		return true
	}
	for _, p := range secretPrefixes {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	for _, p := range secretParts {
		if strings.Contains(n, p) {
			return true
		}
	}
	words := strings.FieldsFunc(n, func(r rune) bool { return r == '_' || r == '-' || r == '.' })
	for i, w := range words {
		// KEY and KEYS count only as the last word (GPG_KEY, not KEY_ID).
		if (w == "KEY" || w == "KEYS") && i != len(words)-1 {
			continue
		}
		if slices.Contains(secretWords, w) {
			return true
		}
	}
	return false
}

// CommandEnv returns the environment for a command: environ (as from
// os.Environ) without the variables IsSecretEnv flags or hide names, except
// those named in pass (exact names, case-sensitive), followed by extra. It
// also returns the names it removed, sorted.
func CommandEnv(environ, pass, hide, extra []string) (env, removed []string) {
	env = make([]string, 0, len(environ)+len(extra))
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if name != "" && (IsSecretEnv(name) || slices.Contains(hide, name)) && !slices.Contains(pass, name) {
			removed = append(removed, name)
			continue
		}
		env = append(env, kv)
	}
	slices.Sort(removed)
	return append(env, extra...), removed
}
