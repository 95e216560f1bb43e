// Package llama registers the Llama architecture (Touvron et al., 2023;
// Llama 2, Llama 3.x, and the models built on it: TinyLlama, SmolLM2, the
// TinyStories models).
//
// Each block is pre-norm: x += Attn(RMSNorm(x)); x += FFN(RMSNorm(x)).
// Attention uses rotary position embeddings over adjacent dimension pairs
// and grouped-query attention when the file has fewer key/value heads than
// query heads; the feed-forward network is SwiGLU: W_down(silu(W_gate x) ⊙
// W_up x). Llama 3's long-context RoPE scaling arrives as per-frequency
// divisors in rope_freqs.weight. The output projection may be tied to the
// token embeddings.
package llama

import "github.com/atelier-dev/atelier/internal/model"

func init() { model.Register("llama", Build) }

// Build builds a Llama decoder from the file's weights.
func Build(l *model.Loader, c model.Config) (*model.Decoder, error) {
	return model.LoadStandard(l, c)
}
